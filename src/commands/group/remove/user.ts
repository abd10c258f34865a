import { GroupMembershipCommand, membershipArgs } from "../../../cli/identity/group-membership-command.js";

export default class GroupRemoveUser extends GroupMembershipCommand<typeof GroupRemoveUser> {
  static override summary = "Remove user from group";
  static override args = membershipArgs("remove");
  protected readonly change = "remove";
}
