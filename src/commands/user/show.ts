import { Args, Flags } from "@oclif/core";
import { ClientCommand } from "../../cli/client-command.js";
import { showable } from "../../client/identity.js";

export default class UserShow extends ClientCommand<typeof UserShow> {
  static override summary = "Display user details";
  static override args = { user: Args.string({ required: true, description: "User to display (name or ID)" }) };
  static override flags = { domain: Flags.string({ summary: "Domain owning <user> (name or ID)" }) };

  async run(): Promise<void> {
    const id = this.identity();
    await this.printOne(showable(await id.find("users", this.args.user, { domainId: await id.domainId(this.flags.domain) })));
  }
}
