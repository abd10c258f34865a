import { Args, Flags } from "@oclif/core";
import { ComputeCommand } from "../../cli/compute-command.js";

export default class ServerDelete extends ComputeCommand<typeof ServerDelete> {
  static override summary = "Delete server(s)";
  static override strict = false;
  static override args = { server: Args.string({ required: true, description: "Server(s) to delete (name or ID)" }) };
  static override flags = {
    force: Flags.boolean({ summary: "Force delete server(s)" }),
    "all-projects": Flags.boolean({
      env: "ALL_PROJECTS",
      summary: "Delete server(s) in another project by name (admin only)(can be specified using the ALL_PROJECTS envvar)",
    }),
    wait: Flags.boolean({ summary: "Wait for delete to complete" }),
  };

  async run(): Promise<void> {
    const compute = this.compute();
    for (const name of this.positionals) {
      const server = await compute.findServer(name, { allProjects: this.flags["all-projects"] });
      const id = String(server.id);
      if (this.flags.force) await compute.action(id, { forceDelete: null });
      else await compute.call("DELETE", `/servers/${id}`);
      if (this.flags.wait) {
        const ok = await compute.waitForDelete(id, { onPoll: (s) => this.progress(s) });
        if (!ok) {
          process.stderr.write(`Error deleting server: ${id}\n`);
          this.exit(1);
        }
      }
    }
  }
}
