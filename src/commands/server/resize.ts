import { Args, Flags } from "@oclif/core";
import { ComputeCommand } from "../../cli/compute-command.js";

export default class ServerResize extends ComputeCommand<typeof ServerResize> {
  static override summary = "Scale server to a new flavor.";
  static override description =
    "A resize operation is implemented by creating a new server and copying the contents of the original disk into a new one. It is a two-step process for the user: the first step is to perform the resize, the second step is to either confirm (verify) success and release the old server or to declare a revert to release the new server and restart the old one.";
  static override args = { server: Args.string({ required: true, description: "Server (name or ID)" }) };
  static override flags = {
    flavor: Flags.string({ summary: "Resize server to specified flavor", exclusive: ["confirm", "revert"] }),
    confirm: Flags.boolean({
      summary: "**Deprecated** Confirm server resize is complete. Replaced by the 'openstack server resize confirm' command",
      exclusive: ["revert"],
    }),
    revert: Flags.boolean({
      summary: "**Deprecated** Restore server state before resize. Replaced by the 'openstack server resize revert' command",
    }),
    wait: Flags.boolean({ summary: "Wait for resize to complete" }),
  };

  async run(): Promise<void> {
    const f = this.flags;
    const compute = this.compute();
    const server = await compute.findServer(this.args.server);
    const id = String(server.id);
    if (f.flavor) {
      const flavor = await compute.findFlavor(f.flavor);
      await compute.action(id, { resize: { flavorRef: String(flavor.id) } });
      if (f.wait) {
        const { ok } = await compute.waitForStatus(id, { success: ["active", "verify_resize"], onPoll: (s) => this.progress(s) });
        if (!ok) {
          process.stderr.write(`Error resizing server: ${id}\n`);
          this.exit(1);
        }
        process.stderr.write("Complete\n");
      }
    } else if (f.confirm) {
      this.warn("The --confirm option has been deprecated. Please use the 'openstack server resize confirm' command instead.");
      await compute.action(id, { confirmResize: null });
    } else if (f.revert) {
      this.warn("The --revert option has been deprecated. Please use the 'openstack server resize revert' command instead.");
      await compute.action(id, { revertResize: null });
    }
  }
}
