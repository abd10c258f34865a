import { Flags } from "@oclif/core";
import { ClientCommand, props } from "../../cli/client-command.js";

export default class GroupList extends ClientCommand<typeof GroupList> {
  static override summary = "List groups";
  static override flags = {
    domain: Flags.string({ summary: "Filter group list by <domain> (name or ID)" }),
    user: Flags.string({ summary: "Filter group list by <user> (name or ID)" }),
    "user-domain": Flags.string({
      summary: "Domain the user belongs to (name or ID). This can be used in case collisions between user names exist.",
    }),
    long: Flags.boolean({ summary: "List additional fields in output" }),
  };

  async run(): Promise<void> {
    const id = this.identity();
    const domainId = await id.domainId(this.flags.domain);
    const columns = this.flags.long ? ["ID", "Name", "Domain ID", "Description"] : ["ID", "Name"];
    const data = this.flags.user
      ? await id.list(
          `users/${(await id.findUser(this.flags.user, this.flags["user-domain"])).id}/groups`,
          { domain_id: domainId },
          "groups",
        )
      : await id.list("groups", { domain_id: domainId });
    await this.printList(
      columns,
      data.map((g) => props(g, columns)),
    );
  }
}
