import { Flags } from "@oclif/core";
import { ClientCommand } from "../../../cli/client-command.js";
import type { Entity } from "../../../client/identity.js";

const COLUMNS = ["Role", "User", "Group", "Project", "Domain", "System", "Inherited"];
const at = (o: { name?: string; domain?: { name?: string } } | undefined) => `${o?.name ?? ""}@${o?.domain?.name ?? ""}`;

/** One row of `role assignment list`, with names (`--names`: name@domain) or IDs, blanks elsewhere. */
export function assignmentRow(a: Entity, names: boolean): Record<string, string | boolean> {
  const scope = a.scope ?? {};
  const row: Record<string, string | boolean> = { Role: "", User: "", Group: "", Project: "", Domain: "", System: "", Inherited: false };
  if (scope.project) row.Project = names ? at(scope.project) : scope.project.id;
  else if (scope.domain) row.Domain = names ? scope.domain.name : scope.domain.id;
  else if (scope.system) row.System = "all";
  row.Inherited = scope["OS-INHERIT:inherited_to"] === "projects";
  if (a.user) row.User = names ? at(a.user) : a.user.id;
  else if (a.group) row.Group = names ? at(a.group) : a.group.id;
  if (a.role) row.Role = names ? a.role.name : a.role.id;
  return row;
}

export default class RoleAssignmentList extends ClientCommand<typeof RoleAssignmentList> {
  static override summary = "List role assignments";
  static override flags = {
    effective: Flags.boolean({ summary: "Returns only effective role assignments" }),
    role: Flags.string({ summary: "Role to filter (name or ID)" }),
    "role-domain": Flags.string({
      summary: "Domain the role belongs to (name or ID). This must be specified when the name of a domain specific role is used.",
    }),
    names: Flags.boolean({ summary: "Display names instead of IDs" }),
    user: Flags.string({ summary: "User to filter (name or ID)", exclusive: ["group", "auth-user"] }),
    "user-domain": Flags.string({
      summary: "Domain the user belongs to (name or ID). This can be used in case collisions between user names exist.",
    }),
    group: Flags.string({ summary: "Group to filter (name or ID)" }),
    "group-domain": Flags.string({
      summary: "Domain the group belongs to (name or ID). This can be used in case collisions between group names exist.",
    }),
    domain: Flags.string({ summary: "Domain to filter (name or ID)", exclusive: ["project", "system", "auth-project"] }),
    project: Flags.string({ summary: "Project to filter (name or ID)", exclusive: ["system", "auth-project"] }),
    "project-domain": Flags.string({
      summary: "Domain the project belongs to (name or ID). This can be used in case collisions between project names exist.",
    }),
    system: Flags.string({ summary: "Filter based on system role assignments" }),
    inherited: Flags.boolean({ summary: "Specifies if the role grant is inheritable to the sub projects" }),
    "auth-user": Flags.boolean({ summary: "Only list assignments for the authenticated user" }),
    "auth-project": Flags.boolean({ summary: "Only list assignments for the project to which the authenticated user's token is scoped" }),
  };

  async run(): Promise<void> {
    const f = this.flags;
    const id = this.identity();
    const query: Record<string, string | undefined> = {};
    if (f.role) query["role.id"] = (await id.findRole(f.role, f["role-domain"])).id;
    if (f.user) query["user.id"] = (await id.findUser(f.user, f["user-domain"])).id;
    else if (f["auth-user"]) query["user.id"] = (await this.session().authRef()).userId;
    if (f.group) query["group.id"] = (await id.findGroup(f.group, f["group-domain"])).id;
    if (f.system) query["scope.system"] = f.system;
    if (f.domain) query["scope.domain.id"] = (await id.findDomain(f.domain)).id;
    if (f.project) query["scope.project.id"] = (await id.findProject(f.project, f["project-domain"])).id;
    else if (f["auth-project"]) query["scope.project.id"] = (await this.session().authRef()).projectId;
    if (f.effective) query.effective = "True";
    if (f.inherited) query["scope.OS-INHERIT:inherited_to"] = "projects";
    if (f.names) query.include_names = "True";
    const data = await id.list("role_assignments", query, "role_assignments");
    await this.printList(
      COLUMNS,
      data.map((a) => assignmentRow(a, Boolean(f.names))),
    );
  }
}
