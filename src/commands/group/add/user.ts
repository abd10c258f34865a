import { GroupMembershipCommand, membershipArgs } from "../../../cli/identity/group-membership-command.js";

export default class GroupAddUser extends GroupMembershipCommand<typeof GroupAddUser> {
  static override summary = "Add user to group";
  static override args = membershipArgs("add");
  protected readonly change = "add";
}
