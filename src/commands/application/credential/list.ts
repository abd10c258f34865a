import { Flags } from "@oclif/core";
import { ClientCommand, props } from "../../../cli/client-command.js";

export default class ApplicationCredentialList extends ClientCommand<typeof ApplicationCredentialList> {
  static override summary = "List application credentials";
  static override flags = {
    user: Flags.string({ summary: "User whose application credentials to list (name or ID)" }),
    "user-domain": Flags.string({
      summary: "Domain the user belongs to (name or ID). This can be used in case collisions between user names exist.",
    }),
  };

  async run(): Promise<void> {
    const session = this.session();
    const userId = this.flags.user
      ? (await this.identity().findUser(this.flags.user, this.flags["user-domain"])).id
      : (await session.authRef()).userId;
    const res = await session.get("identity", `/users/${userId}/application_credentials`);
    const columns = ["ID", "Name", "Project ID", "Description", "Expires At"];
    await this.printList(
      columns,
      (res.body.application_credentials ?? []).map((c: Record<string, unknown>) => props(c, columns)),
    );
  }
}
