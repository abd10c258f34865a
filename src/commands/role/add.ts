import { Args, Flags } from "@oclif/core";
import { ClientCommand } from "../../cli/client-command.js";
import { grantPath, resolveGrant } from "../../client/assignments.js";

/** Flags of `role add` / `role remove` (the openstack client's identity and resource options). */
export const grantFlags = {
  system: Flags.string({ summary: "Include <system> (all)", exclusive: ["domain", "project"] }),
  domain: Flags.string({ summary: "Include <domain> (name or ID)", exclusive: ["project"] }),
  project: Flags.string({ summary: "Include <project> (name or ID)" }),
  user: Flags.string({ summary: "Include <user> (name or ID)", exclusive: ["group"] }),
  group: Flags.string({ summary: "Include <group> (name or ID)" }),
  "group-domain": Flags.string({
    summary: "Domain the group belongs to (name or ID). This can be used in case collisions between group names exist.",
  }),
  "project-domain": Flags.string({
    summary: "Domain the project belongs to (name or ID). This can be used in case collisions between project names exist.",
  }),
  "user-domain": Flags.string({
    summary: "Domain the user belongs to (name or ID). This can be used in case collisions between user names exist.",
  }),
  inherited: Flags.boolean({ summary: "Specifies if the role grant is inheritable to the sub projects" }),
  "role-domain": Flags.string({
    summary: "Domain the role belongs to (name or ID). This must be specified when the name of a domain specific role is used.",
  }),
};

export default class RoleAdd extends ClientCommand<typeof RoleAdd> {
  static override summary = "Adds a role assignment to a user or group on the system, a domain, or a project";
  static override args = { role: Args.string({ required: true, description: "Role to add to <user> (name or ID)" }) };
  static override flags = grantFlags;

  async run(): Promise<void> {
    const f = this.flags;
    if (!f.user && !f.domain && !f.group && !f.project)
      throw new Error("Role not added, incorrect set of arguments provided. See openstack --help for more details");
    const id = this.identity();
    const role = await id.findRole(this.args.role, f["role-domain"]);
    const target = await resolveGrant(id, f);
    if (!target) return;
    await this.session().put("identity", grantPath(role.id, target));
  }
}
