import { Args, Flags } from "@oclif/core";
import { ClientCommand } from "../../cli/client-command.js";

export default class RoleDelete extends ClientCommand<typeof RoleDelete> {
  static override summary = "Delete role(s)";
  static override strict = false;
  static override args = { role: Args.string({ required: true, description: "Role(s) to delete (name or ID)" }) };
  static override flags = { domain: Flags.string({ summary: "Domain the role belongs to (name or ID)" }) };

  async run(): Promise<void> {
    const id = this.identity();
    const domainId = await id.domainId(this.flags.domain);
    await this.deleteEach(this.positionals, "role", async (r) => id.remove("roles", (await id.find("roles", r, { domainId })).id));
  }
}
