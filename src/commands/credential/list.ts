import { Flags } from "@oclif/core";
import { ClientCommand, props } from "../../cli/client-command.js";

export default class CredentialList extends ClientCommand<typeof CredentialList> {
  static override summary = "List credentials";
  static override flags = {
    user: Flags.string({ summary: "Filter credentials by <user> (name or ID)" }),
    "user-domain": Flags.string({
      summary: "Domain the user belongs to (name or ID). This can be used in case collisions between user names exist.",
    }),
    type: Flags.string({ summary: "Filter credentials by type: cert, ec2, totp and so on" }),
  };

  async run(): Promise<void> {
    const id = this.identity();
    const userId = this.flags.user ? (await id.findUser(this.flags.user, this.flags["user-domain"])).id : undefined;
    const creds = await id.list("credentials", { user_id: userId, type: this.flags.type });
    const columns = ["ID", "Type", "User ID", "Data", "Project ID"];
    await this.printList(
      columns,
      creds.map((c) => props(c, columns, { Data: "blob" })),
    );
  }
}
