import { Args, Flags } from "@oclif/core";
import { ClientCommand } from "../../cli/client-command.js";

export default class GroupDelete extends ClientCommand<typeof GroupDelete> {
  static override summary = "Delete group(s)";
  static override strict = false;
  static override args = { group: Args.string({ required: true, description: "Group(s) to delete (name or ID)" }) };
  static override flags = { domain: Flags.string({ summary: "Domain containing group(s) (name or ID)" }) };

  async run(): Promise<void> {
    const id = this.identity();
    const domainId = await id.domainId(this.flags.domain);
    await this.deleteEach(this.positionals, "group", async (g) => id.remove("groups", (await id.find("groups", g, { domainId })).id));
  }
}
