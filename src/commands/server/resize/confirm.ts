import { Args } from "@oclif/core";
import { ComputeCommand } from "../../../cli/compute-command.js";

export default class ServerResizeConfirm extends ComputeCommand<typeof ServerResizeConfirm> {
  static override summary = "Confirm server resize. Confirm (verify) success of resize operation and release the old server.";
  static override args = { server: Args.string({ required: true, description: "Server (name or ID)" }) };

  async run(): Promise<void> {
    const compute = this.compute();
    const server = await compute.findServer(this.args.server);
    await compute.action(String(server.id), { confirmResize: null });
  }
}
