import { Flags } from "@oclif/core";
import { BaseCommand } from "../../cli/base-command.js";
import { setFlag, stateDirFlag } from "../../cli/flags.js";
import { stateDir } from "../../engine/common/paths.js";
import { KEPT, resetCloud } from "../../engine/labs/reset.js";

export default class LabReset extends BaseCommand<typeof LabReset> {
  static override summary = "Return the local cloud to a clean state (as a first 'os cloud up' leaves it)";
  static override description =
    `Stops every service, removes everything in the state directory except ${KEPT.join(", ")} (databases, images, instance disks, fernet keys, edited paste files and policies, the lab CA, traces, logs), then brings the cloud up again. The guest image cache (~/.cache/pocketstack) is kept, so this takes as long as a first 'os cloud up' with a warm cache.`;
  static override examples = ["<%= config.bin %> lab reset", "<%= config.bin %> lab reset --state-dir /tmp/lab --down"];
  static override flags = {
    "state-dir": stateDirFlag,
    set: setFlag,
    driver: Flags.option({ options: ["fake", "qemu", "auto"] as const, summary: "Compute driver when bringing the cloud up again." })(),
    down: Flags.boolean({ summary: "Leave the cloud down after wiping it." }),
  };

  async run(): Promise<void> {
    const f = this.flags;
    const dir = stateDir(f["state-dir"]);
    const overrides = [...(f.set ?? [])];
    if (f.driver) overrides.push(`compute.compute_driver=${f.driver}`);
    const r = await resetCloud(dir, { overrides, up: !f.down });
    this.log(
      `${r.wasRunning ? "Stopped the cloud; removed" : "Removed"} ${r.removed.length ? r.removed.join(", ") : "nothing"} from ${dir} (kept ${KEPT.join(", ")}).`,
    );
    this.log(r.up ? "The cloud is up again, clean: os cloud status" : "The cloud is down: os cloud up brings it up clean.");
  }
}
