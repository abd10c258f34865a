import { Args } from "@oclif/core";
import { ClientCommand } from "../../cli/client-command.js";
import { grantPath, resolveGrant } from "../../client/assignments.js";
import { grantFlags } from "./add.js";

export default class RoleRemove extends ClientCommand<typeof RoleRemove> {
  static override summary = "Removes a role assignment from system/domain/project : user/group";
  static override args = { role: Args.string({ required: true, description: "Role to remove (name or ID)" }) };
  static override flags = grantFlags;

  async run(): Promise<void> {
    const f = this.flags;
    if (!f.user && !f.domain && !f.group && !f.project)
      throw new Error("Role not removed, incorrect set of arguments provided. See openstack --help for more details");
    const id = this.identity();
    const role = await id.findRole(this.args.role, f["role-domain"]);
    const target = await resolveGrant(id, f, false);
    if (!target) return;
    await this.session().delete("identity", grantPath(role.id, target));
  }
}
