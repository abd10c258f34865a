import { BaseCommand } from "../../../cli/base-command.js";
import { setFlag, stateDirFlag } from "../../../cli/flags.js";
import { cellText } from "../../../cli/output.js";
import { loadConfig } from "../../../engine/common/config/config.js";
import { layout, stateDir } from "../../../engine/common/paths.js";

export default class ConfigShow extends BaseCommand<typeof ConfigShow> {
  static override summary = "Show the effective configuration of the local cloud (defaults, file, overrides)";
  static override flags = { "state-dir": stateDirFlag, set: setFlag };
  async run(): Promise<void> {
    const cfg = loadConfig(layout(stateDir(this.flags["state-dir"])).config, this.flags.set ?? []);
    const rows = cfg
      .entries()
      .map((e) => ({ Section: e.section, Option: e.option, Value: Array.isArray(e.value) ? e.value.join(",") : cellText(e.value) }));
    await this.printList(["Section", "Option", "Value"], rows);
  }
}
