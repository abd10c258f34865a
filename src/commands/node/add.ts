import { Args, Flags } from "@oclif/core";
import { BaseCommand } from "../../cli/base-command.js";
import { stateDirFlag } from "../../cli/flags.js";
import { loadConfig } from "../../engine/common/config/config.js";
import { layout, stateDir } from "../../engine/common/paths.js";
import { cloudStatus } from "../../engine/cloud/control.js";
import { unitOfHost } from "../../engine/compute/manager/multi-node.js";
import { NODE_DRIVERS, NodeListError, addNode, addNodes, nodesFile, readNodes } from "../../engine/compute/manager/node-list.js";
import { resolveDriverName } from "../../hypervisor/driver.js";

export default class NodeAdd extends BaseCommand<typeof NodeAdd> {
  static override summary = "Add compute nodes (nova-compute workers) to the local cloud";
  static override description =
    "Writes the nodes into <state dir>/etc/nodes.json; the cloud's supervisor runs one nova-compute unit per node, or per group of [compute] nodes_per_process nodes. With --count, NAME is a prefix and the nodes are numbered after the highest listed one.";
  static override examples = [
    "<%= config.bin %> node add compute3",
    "<%= config.bin %> node add compute4 --driver qemu",
    "<%= config.bin %> node add compute --count 98 --driver fake",
  ];
  static override args = {
    name: Args.string({ required: true, description: "Host name of the node (compute3), or with --count the prefix (compute)" }),
  };
  static override flags = {
    driver: Flags.string({ options: [...NODE_DRIVERS], summary: "Hypervisor driver of the node (default: [compute] compute_driver)." }),
    count: Flags.integer({
      min: 1,
      max: 10_000,
      summary: "Add this many nodes named <NAME><k>, numbered after the highest <NAME><k> listed.",
    }),
    "state-dir": stateDirFlag,
  };

  async run(): Promise<void> {
    const dir = stateDir(this.flags["state-dir"]);
    const config = loadConfig(layout(dir).config);
    const driver = this.flags.driver ?? resolveDriverName(config.str("compute", "compute_driver"));
    let added: Array<{ host: string; driver: string }>;
    try {
      if (this.flags.count === undefined) {
        addNode(dir, config, { host: this.args.name, driver });
        added = [{ host: this.args.name, driver }];
      } else added = addNodes(dir, config, this.args.name, this.flags.count, driver);
    } catch (err) {
      if (err instanceof NodeListError) this.error(err.message, { exit: 1 });
      throw err;
    }
    const nodes = readNodes(dir) ?? [];
    const perProcess = config.int("compute", "nodes_per_process");
    const rows = added.map((n) => ({
      host: n.host,
      driver: n.driver,
      unit: unitOfHost(nodes, perProcess, n.host) ?? `nova-compute@${n.host}`,
      nodes_file: nodesFile(dir),
    }));
    if (this.flags.count === undefined) await this.printOne(rows[0] as (typeof rows)[number]);
    else
      await this.printList(
        ["Host", "Driver", "Unit"],
        rows.map((r) => ({ Host: r.host, Driver: r.driver, Unit: r.unit })),
      );
    if (cloudStatus(dir).running && this.flags.format === "table") {
      this.logToStderr(
        `the running cloud's supervisor starts ${added.length === 1 ? rows[0]?.unit : `${added.length} nodes`} from ${nodesFile(dir)}`,
      );
    }
  }
}
