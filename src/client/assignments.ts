import type { IdentityApi } from "./identity.js";

/** The actor and target of a role grant, as resolved IDs. */
export interface GrantTarget {
  user?: string;
  group?: string;
  project?: string;
  domain?: string;
  system?: string;
  inherited?: boolean;
}

/**
 * The URL of one role grant in identity v3: /projects/{p}/users/{u}/roles/{r},
 * /system/groups/{g}/roles/{r}, or under OS-INHERIT …/inherited_to_projects for inherited ones.
 */
export function grantPath(roleId: string, t: GrantTarget): string {
  const actor = t.user ? `users/${t.user}` : `groups/${t.group}`;
  if (t.system) return `/system/${actor}/roles/${roleId}`;
  const target = t.project ? `projects/${t.project}` : `domains/${t.domain}`;
  return t.inherited ? `/OS-INHERIT/${target}/${actor}/roles/${roleId}/inherited_to_projects` : `/${target}/${actor}/roles/${roleId}`;
}

export interface GrantFlags {
  user?: string;
  group?: string;
  project?: string;
  domain?: string;
  system?: string;
  "user-domain"?: string;
  "group-domain"?: string;
  "project-domain"?: string;
  inherited?: boolean;
}

/**
 * The openstack client's _process_identity_and_resource_options: find the user/group and the
 * system/domain/project. When removing, a user or group that no longer exists is taken as an ID.
 */
export async function resolveGrant(id: IdentityApi, f: GrantFlags, actorMustExist = true): Promise<GrantTarget | undefined> {
  const actor = async (find: () => Promise<{ id: string }>, raw: string) => {
    try {
      return (await find()).id;
    } catch (err) {
      if (!actorMustExist && (err as Error).name === "CommandError") return raw;
      throw err;
    }
  };
  const t: GrantTarget = { inherited: f.inherited };
  if (f.user) t.user = await actor(() => id.findUser(f.user as string, f["user-domain"]), f.user);
  else if (f.group) t.group = await actor(() => id.findGroup(f.group as string, f["group-domain"]), f.group);
  else return undefined;
  if (f.system) t.system = f.system;
  else if (f.domain) t.domain = (await id.findDomain(f.domain)).id;
  else if (f.project) t.project = (await id.findProject(f.project, f["project-domain"])).id;
  else return undefined;
  return t;
}
