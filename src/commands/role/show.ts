import { Args, Flags } from "@oclif/core";
import { ClientCommand } from "../../cli/client-command.js";
import { showable } from "../../client/identity.js";

export default class RoleShow extends ClientCommand<typeof RoleShow> {
  static override summary = "Display role details";
  static override args = { role: Args.string({ required: true, description: "Role to display (name or ID)" }) };
  static override flags = { domain: Flags.string({ summary: "Domain the role belongs to (name or ID)" }) };

  async run(): Promise<void> {
    await this.printOne(showable(await this.identity().findRole(this.args.role, this.flags.domain)));
  }
}
