import { Args, Flags } from "@oclif/core";
import { ComputeCommand } from "../../cli/compute-command.js";

export default class ServerReboot extends ComputeCommand<typeof ServerReboot> {
  static override summary = "Perform a hard or soft server reboot";
  static override args = { server: Args.string({ required: true, description: "Server (name or ID)" }) };
  static override flags = {
    hard: Flags.boolean({ summary: "Perform a hard reboot", exclusive: ["soft"] }),
    soft: Flags.boolean({ summary: "Perform a soft reboot" }),
    wait: Flags.boolean({ summary: "Wait for reboot to complete" }),
  };

  async run(): Promise<void> {
    const compute = this.compute();
    const server = await compute.findServer(this.args.server);
    const id = String(server.id);
    await compute.action(id, { reboot: { type: this.flags.hard ? "HARD" : "SOFT" } });
    if (this.flags.wait) {
      const { ok } = await compute.waitForStatus(id, { onPoll: (s) => this.progress(s) });
      process.stderr.write("\n");
      if (!ok) {
        process.stderr.write(`Error rebooting server: ${id}\n`);
        this.exit(1);
      }
    }
  }
}
