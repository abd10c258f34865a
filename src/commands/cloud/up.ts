import { Flags } from "@oclif/core";
import { BaseCommand } from "../../cli/base-command.js";
import { setFlag, stateDirFlag } from "../../cli/flags.js";
import { stateDir } from "../../engine/common/paths.js";
import { cloudStatus, cloudUp, enableTls } from "../../engine/cloud/control.js";
import { STATUS_COLUMNS, statusRows } from "../../engine/cloud/status-rows.js";

export default class CloudUp extends BaseCommand<typeof CloudUp> {
  static override summary = "Bring up the local cloud: every service as its own process, supervised";
  static override description =
    "Starts the message bus, the trace collector and the OpenStack services, waits until each answers its health check, and prints their status. A second `os cloud up` starts nothing twice.";
  static override examples = [
    "<%= config.bin %> cloud up",
    "<%= config.bin %> cloud up --state-dir /tmp/lab --computes 2 --driver fake",
    "<%= config.bin %> cloud up --set DEFAULT.debug=true",
    "<%= config.bin %> cloud up --computes 100 --nodes-per-process 25 --driver fake",
  ];
  static override flags = {
    "state-dir": stateDirFlag,
    set: setFlag,
    driver: Flags.option({ options: ["fake", "qemu", "auto"] as const, summary: "Hypervisor driver of the compute nodes." })(),
    computes: Flags.integer({ min: 0, summary: "Number of compute nodes." }),
    "nodes-per-process": Flags.integer({
      min: 1,
      summary: "Compute nodes one nova-compute worker process hosts ([compute] nodes_per_process; default 1).",
    }),
    tls: Flags.boolean({ summary: "Serve every API over HTTPS with certificates from a lab CA (kept in [ssl] of pocketstack.conf)." }),
  };

  async run(): Promise<void> {
    const f = this.flags;
    const overrides = [...(f.set ?? [])];
    if (f.driver) overrides.push(`compute.compute_driver=${f.driver}`);
    if (f.computes !== undefined) overrides.push(`compute.computes=${f.computes}`);
    if (f["nodes-per-process"] !== undefined) overrides.push(`compute.nodes_per_process=${f["nodes-per-process"]}`);
    const dir = stateDir(f["state-dir"]);
    // --tls is a property of the cloud, not of one run: it is written to pocketstack.conf.
    if (f.tls) enableTls(dir);
    const { alreadyRunning, warning } = await cloudUp(dir, { overrides });
    if (warning) this.warn(warning);
    const { state } = cloudStatus(dir);
    if (alreadyRunning) this.logToStderr(`the cloud in ${dir} is already running; nothing started twice`);
    if (state) await this.printList(STATUS_COLUMNS, statusRows(state));
    if (this.flags.format === "table") {
      this.log(`\nState directory: ${dir}`);
      this.log(`Logs: os cloud logs <service> [-f]   Stop: os cloud down${f["state-dir"] ? ` --state-dir ${dir}` : ""}`);
    }
  }
}
