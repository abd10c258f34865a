import { Args, Flags } from "@oclif/core";
import { ClientCommand } from "../../../cli/client-command.js";

export default class GroupAddUser extends ClientCommand<typeof GroupAddUser> {
  static override summary = "Add user to group";
  static override strict = false;
  static override args = {
    group: Args.string({ required: true, description: "Group to contain <user> (name or ID)" }),
    user: Args.string({ required: true, description: "User(s) to add (name or ID) (repeat option to add multiple users)" }),
  };
  static override flags = {
    "group-domain": Flags.string({
      summary: "Domain the group belongs to (name or ID). This can be used in case collisions between group names exist.",
    }),
    "user-domain": Flags.string({
      summary: "Domain the user belongs to (name or ID). This can be used in case collisions between user names exist.",
    }),
  };

  async run(): Promise<void> {
    const id = this.identity();
    const [groupName, ...users] = this.positionals as [string, ...string[]];
    const group = await id.findGroup(groupName, this.flags["group-domain"]);
    await this.forEach(
      users,
      async (u) => {
        const user = await id.findUser(u, this.flags["user-domain"]);
        await this.session().request("identity", "PUT", `/groups/${group.id}/users/${user.id}`);
      },
      (u, e) => `${u} not added to group ${groupName}: ${e.message}`,
      (n, total) => `${n} of ${total} users not added to group ${groupName}.`,
    );
  }
}
