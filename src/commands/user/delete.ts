import { Args, Flags } from "@oclif/core";
import { ClientCommand } from "../../cli/client-command.js";

export default class UserDelete extends ClientCommand<typeof UserDelete> {
  static override summary = "Delete user(s)";
  static override strict = false;
  static override args = { user: Args.string({ required: true, description: "User(s) to delete (name or ID)" }) };
  static override flags = { domain: Flags.string({ summary: "Domain owning <user> (name or ID)" }) };

  async run(): Promise<void> {
    const id = this.identity();
    const domainId = await id.domainId(this.flags.domain);
    await this.deleteEach(this.positionals, "user", async (u) => id.remove("users", (await id.find("users", u, { domainId })).id));
  }
}
