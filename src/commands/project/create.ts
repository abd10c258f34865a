import { Args, Flags } from "@oclif/core";
import { ClientCommand } from "../../cli/client-command.js";
import { ApiError } from "../../client/errors.js";
import { type Entity, showable } from "../../client/identity.js";
import { parseProperties } from "../../client/format.js";

export default class ProjectCreate extends ClientCommand<typeof ProjectCreate> {
  static override summary = "Create new project";
  static override args = { name: Args.string({ required: true, description: "New project name" }) };
  static override flags = {
    domain: Flags.string({ summary: "Domain owning the project (name or ID)" }),
    parent: Flags.string({ summary: "Parent of the project (name or ID)" }),
    description: Flags.string({ summary: "Project description" }),
    enable: Flags.boolean({ summary: "Enable project", exclusive: ["disable"] }),
    disable: Flags.boolean({ summary: "Disable project" }),
    property: Flags.string({ multiple: true, summary: "Add a property to <name> (repeat option to set multiple properties)" }),
    tag: Flags.string({ multiple: true, summary: "Tag to be added to the project (repeat option to set multiple tags)" }),
    "or-show": Flags.boolean({ summary: "Return existing project" }),
  };

  async run(): Promise<void> {
    const id = this.identity();
    const domainId = await id.domainId(this.flags.domain);
    const parentId = this.flags.parent ? (await id.findProject(this.flags.parent)).id : undefined;
    let project: Entity;
    try {
      project = await id.create("projects", {
        name: this.args.name,
        domain_id: domainId,
        parent_id: parentId,
        description: this.flags.description,
        enabled: !this.flags.disable,
        tags: this.flags.tag,
        ...parseProperties(this.flags.property),
      });
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 409 && this.flags["or-show"])) throw err;
      project = await id.find("projects", this.args.name, { domainId });
    }
    await this.printOne(showable(project));
  }
}
