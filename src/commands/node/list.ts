import { BaseCommand } from "../../cli/base-command.js";
import { stateDirFlag } from "../../cli/flags.js";
import { loadConfig } from "../../engine/common/config/config.js";
import { layout, stateDir } from "../../engine/common/paths.js";
import { cloudStatus } from "../../engine/cloud/control.js";
import { unitCoversHost } from "../../engine/compute/manager/multi-node.js";
import { NodeListError, defaultNodes, readNodes } from "../../engine/compute/manager/node-list.js";

const COLUMNS = ["Host", "Driver", "Unit", "State", "PID"];

export default class NodeList extends BaseCommand<typeof NodeList> {
  static override summary = "List the local cloud's compute nodes and their nova-compute workers";
  static override examples = ["<%= config.bin %> node list", "<%= config.bin %> node list -f json"];
  static override flags = { "state-dir": stateDirFlag };

  async run(): Promise<void> {
    const dir = stateDir(this.flags["state-dir"]);
    let nodes: ReturnType<typeof defaultNodes>;
    try {
      nodes = readNodes(dir) ?? defaultNodes(loadConfig(layout(dir).config));
    } catch (err) {
      if (err instanceof NodeListError) this.error(err.message, { exit: 1 });
      throw err;
    }
    const { running, state } = cloudStatus(dir);
    const rows = nodes.map((n) => {
      // One unit per node, or a worker per group of nodes (nodes_per_process): the running unit that covers it.
      const u = running ? state?.units.find((x) => unitCoversHost(x.name, n.host)) : undefined;
      const unit = u?.name ?? `nova-compute@${n.host}`;
      return { Host: n.host, Driver: n.driver, Unit: unit, State: u?.state ?? "not running", PID: u?.pid ?? null };
    });
    await this.printList(COLUMNS, rows);
  }
}
