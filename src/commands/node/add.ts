import { Args, Flags } from "@oclif/core";
import { BaseCommand } from "../../cli/base-command.js";
import { stateDirFlag } from "../../cli/flags.js";
import { loadConfig } from "../../engine/common/config/config.js";
import { layout, stateDir } from "../../engine/common/paths.js";
import { cloudStatus } from "../../engine/cloud/control.js";
import { NODE_DRIVERS, NodeListError, addNode, nodesFile } from "../../engine/compute/manager/node-list.js";
import { resolveDriverName } from "../../hypervisor/driver.js";

export default class NodeAdd extends BaseCommand<typeof NodeAdd> {
  static override summary = "Add a compute node (one nova-compute worker) to the local cloud";
  static override description =
    "Writes the node into <state dir>/etc/nodes.json; the cloud's supervisor runs one nova-compute@<host> unit per listed node.";
  static override examples = ["<%= config.bin %> node add compute3", "<%= config.bin %> node add compute4 --driver qemu"];
  static override args = { name: Args.string({ required: true, description: "Host name of the node (compute3)" }) };
  static override flags = {
    driver: Flags.string({ options: [...NODE_DRIVERS], summary: "Hypervisor driver of the node (default: [compute] compute_driver)." }),
    "state-dir": stateDirFlag,
  };

  async run(): Promise<void> {
    const dir = stateDir(this.flags["state-dir"]);
    const config = loadConfig(layout(dir).config);
    const driver = this.flags.driver ?? resolveDriverName(config.str("compute", "compute_driver"));
    try {
      addNode(dir, config, { host: this.args.name, driver });
    } catch (err) {
      if (err instanceof NodeListError) this.error(err.message, { exit: 1 });
      throw err;
    }
    await this.printOne({ host: this.args.name, driver, unit: `nova-compute@${this.args.name}`, nodes_file: nodesFile(dir) });
    if (cloudStatus(dir).running && this.flags.format === "table") {
      this.logToStderr(`the running cloud's supervisor starts nova-compute@${this.args.name} from ${nodesFile(dir)}`);
    }
  }
}
