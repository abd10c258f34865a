import { Args } from "@oclif/core";
import { ComputeCommand } from "../../../cli/compute-command.js";

export default class ServerResizeRevert extends ComputeCommand<typeof ServerResizeRevert> {
  static override summary = "Revert server resize. Revert the resize operation. Release the new server and restart the old one.";
  static override args = { server: Args.string({ required: true, description: "Server (name or ID)" }) };

  async run(): Promise<void> {
    const compute = this.compute();
    const server = await compute.findServer(this.args.server);
    await compute.action(String(server.id), { revertResize: null });
  }
}
