import { Args, Flags } from "@oclif/core";
import { ClientCommand } from "../../cli/client-command.js";
import { showable } from "../../client/identity.js";

export default class GroupShow extends ClientCommand<typeof GroupShow> {
  static override summary = "Display group details";
  static override args = { group: Args.string({ required: true, description: "Group to display (name or ID)" }) };
  static override flags = { domain: Flags.string({ summary: "Domain containing <group> (name or ID)" }) };

  async run(): Promise<void> {
    const id = this.identity();
    await this.printOne(showable(await id.find("groups", this.args.group, { domainId: await id.domainId(this.flags.domain) })));
  }
}
