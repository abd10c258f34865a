import { Args, Flags } from "@oclif/core";
import { ComputeCommand, needVersion } from "../../cli/compute-command.js";

export default class ServerLock extends ComputeCommand<typeof ServerLock> {
  static override summary = "Lock server(s). A non-admin user will not be able to execute actions";
  static override strict = false;
  static override args = { server: Args.string({ required: true, description: "Server(s) to lock (name or ID)" }) };
  static override flags = {
    reason: Flags.string({ summary: "Reason for locking the server(s). Requires ``--os-compute-api-version`` 2.73 or greater." }),
  };

  async run(): Promise<void> {
    const compute = this.compute();
    if (this.flags.reason && !compute.atLeast("2.73")) throw needVersion("2.73", "--reason option");
    for (const name of this.positionals) {
      const server = await compute.findServer(name);
      await compute.action(String(server.id), { lock: this.flags.reason ? { locked_reason: this.flags.reason } : null });
    }
  }
}
