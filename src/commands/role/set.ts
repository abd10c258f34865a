import { Args, Flags } from "@oclif/core";
import { ClientCommand } from "../../cli/client-command.js";
import { immutableFlags, immutableOption } from "./create.js";

export default class RoleSet extends ClientCommand<typeof RoleSet> {
  static override summary = "Set role properties";
  static override args = { role: Args.string({ required: true, description: "Role to modify (name or ID)" }) };
  static override flags = {
    description: Flags.string({ summary: "Add description about the role" }),
    domain: Flags.string({ summary: "Domain the role belongs to (name or ID)" }),
    name: Flags.string({ summary: "Set role name" }),
    ...immutableFlags,
  };

  async run(): Promise<void> {
    const id = this.identity();
    const role = await id.findRole(this.args.role, this.flags.domain);
    const body: Record<string, unknown> = {};
    if (this.flags.name) body.name = this.flags.name;
    if (this.flags.description !== undefined) body.description = this.flags.description;
    const options = immutableOption(this.flags);
    if (options) body.options = options;
    await id.update("roles", role.id, body);
  }
}
