import { Args, Flags } from "@oclif/core";
import { ClientCommand } from "../../cli/client-command.js";
import { showable } from "../../client/identity.js";

export default class ProjectShow extends ClientCommand<typeof ProjectShow> {
  static override summary = "Display project details";
  static override args = { project: Args.string({ required: true, description: "Project to display (name or ID)" }) };
  static override flags = {
    domain: Flags.string({ summary: "Domain owning <project> (name or ID)" }),
    parents: Flags.boolean({ summary: "Show the project's parents as a list" }),
    children: Flags.boolean({ summary: "Show project's subtree (children) as a list" }),
  };

  async run(): Promise<void> {
    const id = this.identity();
    let project = await id.find("projects", this.args.project, { domainId: await id.domainId(this.flags.domain) });
    if (this.flags.parents || this.flags.children) {
      const res = await this.session().get("identity", `/projects/${project.id}`, {
        query: { parents_as_list: this.flags.parents ? "True" : undefined, subtree_as_list: this.flags.children ? "True" : undefined },
      });
      project = res.body.project;
    }
    await this.printOne(showable(project));
  }
}
