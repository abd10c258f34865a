// `group add user` and `group remove user` differ only in the HTTP verb and their wording: one base class
// holds their arguments, flags and loop.
import { Args, type Command, Flags } from "@oclif/core";
import { ClientCommand } from "../client-command.js";

export type MembershipChange = "add" | "remove";

export const membershipArgs = (change: MembershipChange) => ({
  group: Args.string({ required: true, description: "Group to contain <user> (name or ID)" }),
  user: Args.string({
    required: true,
    description: `User(s) to ${change} (name or ID) (repeat option to ${change} multiple users)`,
  }),
});

/** PUT (add) or DELETE (remove) /v3/groups/{group}/users/{user} for each user named, as openstackclient does. */
export abstract class GroupMembershipCommand<T extends typeof Command> extends ClientCommand<T> {
  static override strict = false;
  static override flags = {
    "group-domain": Flags.string({
      summary: "Domain the group belongs to (name or ID). This can be used in case collisions between group names exist.",
    }),
    "user-domain": Flags.string({
      summary: "Domain the user belongs to (name or ID). This can be used in case collisions between user names exist.",
    }),
  };

  protected abstract readonly change: MembershipChange;

  async run(): Promise<void> {
    const flags = this.flags as unknown as { "group-domain"?: string; "user-domain"?: string };
    const id = this.identity();
    const [groupName, ...users] = this.positionals as [string, ...string[]];
    const group = await id.findGroup(groupName, flags["group-domain"]);
    const outcome = this.change === "add" ? `added to group ${groupName}` : `removed from group ${groupName}`;
    const verb = this.change === "add" ? "PUT" : "DELETE";
    await this.forEach(
      users,
      async (u) => {
        const user = await id.findUser(u, flags["user-domain"]);
        await this.session().request("identity", verb, `/groups/${group.id}/users/${user.id}`);
      },
      (u, e) => `${u} not ${outcome}: ${e.message}`,
      (n, total) => `${n} of ${total} users not ${outcome}.`,
    );
  }
}
