import { Args, Flags } from "@oclif/core";
import { ClientCommand } from "../../cli/client-command.js";

export default class GroupSet extends ClientCommand<typeof GroupSet> {
  static override summary = "Set group properties";
  static override args = { group: Args.string({ required: true, description: "Group to modify (name or ID)" }) };
  static override flags = {
    domain: Flags.string({ summary: "Domain containing <group> (name or ID)" }),
    name: Flags.string({ summary: "New group name" }),
    description: Flags.string({ summary: "New group description" }),
  };

  async run(): Promise<void> {
    const id = this.identity();
    const group = await id.findGroup(this.args.group, this.flags.domain);
    const body: Record<string, unknown> = {};
    if (this.flags.name) body.name = this.flags.name;
    if (this.flags.description !== undefined) body.description = this.flags.description;
    await id.update("groups", group.id, body);
  }
}
