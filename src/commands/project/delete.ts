import { Args, Flags } from "@oclif/core";
import { ClientCommand } from "../../cli/client-command.js";

export default class ProjectDelete extends ClientCommand<typeof ProjectDelete> {
  static override summary = "Delete project(s)";
  static override strict = false;
  static override args = { project: Args.string({ required: true, description: "Project(s) to delete (name or ID)" }) };
  static override flags = { domain: Flags.string({ summary: "Domain owning <project> (name or ID)" }) };

  async run(): Promise<void> {
    const id = this.identity();
    const domainId = await id.domainId(this.flags.domain);
    await this.deleteEach(this.positionals, "project", async (p) => id.remove("projects", (await id.find("projects", p, { domainId })).id));
  }
}
