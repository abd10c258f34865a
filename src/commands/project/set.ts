import { Args, Flags } from "@oclif/core";
import { ClientCommand } from "../../cli/client-command.js";
import { parseProperties } from "../../client/format.js";

export default class ProjectSet extends ClientCommand<typeof ProjectSet> {
  static override summary = "Set project properties";
  static override args = { project: Args.string({ required: true, description: "Project to modify (name or ID)" }) };
  static override flags = {
    name: Flags.string({ summary: "Set project name" }),
    domain: Flags.string({ summary: "Domain owning <project> (name or ID)" }),
    description: Flags.string({ summary: "Set project description" }),
    enable: Flags.boolean({ summary: "Enable project", exclusive: ["disable"] }),
    disable: Flags.boolean({ summary: "Disable project" }),
    property: Flags.string({ multiple: true, summary: "Set a property on <project> (repeat option to set multiple properties)" }),
    tag: Flags.string({ multiple: true, summary: "Tag to be added to the project (repeat option to set multiple tags)" }),
    "clear-tags": Flags.boolean({
      summary: "Clear tags associated with the project. Specify both --tag and --clear-tags to overwrite current tags",
    }),
  };

  async run(): Promise<void> {
    const id = this.identity();
    const project = await id.find("projects", this.args.project, { domainId: await id.domainId(this.flags.domain) });
    const body: Record<string, unknown> = { ...parseProperties(this.flags.property) };
    if (this.flags.name) body.name = this.flags.name;
    if (this.flags.description !== undefined) body.description = this.flags.description;
    if (this.flags.enable) body.enabled = true;
    if (this.flags.disable) body.enabled = false;
    if (this.flags["clear-tags"]) body.tags = [...(this.flags.tag ?? [])];
    else if (this.flags.tag) body.tags = [...new Set([...((project.tags as string[]) ?? []), ...this.flags.tag])];
    await id.update("projects", project.id, body);
  }
}
