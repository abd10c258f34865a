import { Args } from "@oclif/core";
import { SDK_MAX, sdkServerGroupView } from "../../../client/compute.js";
import { ComputeCommand } from "../../../cli/compute-command.js";

export default class ServerGroupShow extends ComputeCommand<typeof ServerGroupShow> {
  static override summary = "Display server group details.";
  static override args = { "server-group": Args.string({ required: true, description: "server group to display (name or ID)" }) };

  async run(): Promise<void> {
    const compute = await this.sdk(SDK_MAX.serverGroup);
    await this.printOne(sdkServerGroupView(await compute.findServerGroup(this.args["server-group"]), compute.microversion));
  }
}
