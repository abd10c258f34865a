import type { Router } from "../../common/http/router.js";
import type { HttpRequest } from "../../common/http/types.js";
import { empty, json } from "../../common/http/types.js";
import type { ActorKind, Assignment, TargetKind } from "../backends/assignment.js";
import { forbiddenMsg, notFound, validation } from "../errors.js";
import { type KeystoneContext, boolQuery, collection, enforce, strQuery, v3Url } from "./common.js";
import { roleView } from "./views.js";

type Dict = Record<string, unknown>;

/** The URL of one grant, as Keystone puts in role_assignments' links.assignment. */
function grantPath(a: Assignment): string {
  const actor = `${a.actor}s/${a.actor_id}`;
  if (a.target === "system") return `/system/${actor}/roles/${a.role_id}`;
  if (a.inherited) return `/OS-INHERIT/${a.target}s/${a.target_id}/${actor}/roles/${a.role_id}/inherited_to_projects`;
  return `/${a.target}s/${a.target_id}/${actor}/roles/${a.role_id}`;
}

/**
 * Role grants (PUT/HEAD/GET/DELETE on /v3/{projects|domains|system}/…/{users|groups}/…/roles/…, and
 * the OS-INHERIT variants) and GET /v3/role_assignments with Keystone's filters and effective mode.
 */
export function assignmentRoutes(r: Router, ctx: KeystoneContext): void {
  const { assignment, identity, resource, revoke, effective } = ctx.store;

  /** Resolve the grant's objects (404 for unknown ids) and enforce the action on them. */
  const resolve = async (req: HttpRequest, target: TargetKind, actor: ActorKind, action: string, withRole: boolean) => {
    const p = req.params;
    const actorId = (actor === "user" ? p.user_id : p.group_id) as string;
    const targetId = target === "system" ? "all" : ((target === "project" ? p.project_id : p.domain_id) as string);
    const t: Dict = {};
    const actorObj = actor === "user" ? identity.findUser(actorId) : identity.findGroup(actorId);
    const targetObj =
      target === "project" ? resource.findProject(targetId) : target === "domain" ? resource.findDomain(targetId) : { all: true };
    const role = withRole ? assignment.findRole(p.role_id as string) : undefined;
    t[actor] = actorObj ?? {};
    if (target !== "system") t[target] = targetObj ?? {};
    if (withRole) t.role = role ?? {};
    await enforce(ctx, req, action, t);
    if (!actorObj) throw notFound(actor, actorId);
    if (!targetObj) throw notFound(target, targetId);
    if (withRole && !role) throw notFound("role", p.role_id as string);
    if (role?.domain_id && target !== "system") {
      const targetDomain = target === "project" ? resource.findProject(targetId)?.domain_id : targetId;
      // Keystone's DomainSpecificRoleMismatch (403).
      if (role.domain_id !== targetDomain)
        throw forbiddenMsg(
          `${target === "project" ? "Project" : "Domain"} ${targetId} must be in the same domain as the role ${role.id} being assigned.`,
        );
    }
    return { actorId, targetId, roleId: role?.id ?? "" };
  };

  /** Tokens of the users a removed grant touched stop working (Keystone revokes on grant removal). */
  const revokeFor = (a: Assignment) => {
    const users = a.actor === "user" ? [a.actor_id] : identity.userIdsInGroup(a.actor_id);
    for (const u of users) {
      if (a.target === "project" && !a.inherited) revoke.revoke({ user_id: u, project_id: a.target_id });
      else if (a.target === "domain" && !a.inherited) revoke.revoke({ user_id: u, domain_id: a.target_id });
      else revoke.revoke({ user_id: u });
    }
  };

  const register = (target: TargetKind, actor: ActorKind, prefix: string, suffix: string, inherited: boolean) => {
    const sys = target === "system";
    const act = (verb: string) =>
      sys ? `identity:${verb}_system_grant_for_${actor}` : `identity:${verb === "list" ? "list_grants" : `${verb}_grant`}`;
    const one = `${prefix}/roles/{role_id}${suffix}`;
    r.put(one, async (req) => {
      const g = await resolve(req, target, actor, act("create"), true);
      assignment.grant({ actor, actor_id: g.actorId, target, target_id: g.targetId, role_id: g.roleId, inherited });
      return empty(204);
    });
    const check = async (req: HttpRequest) => {
      const g = await resolve(req, target, actor, act("check"), true);
      if (!assignment.hasGrant({ actor, actor_id: g.actorId, target, target_id: g.targetId, role_id: g.roleId, inherited }))
        throw notFound("role assignment", `${g.roleId} for ${actor} ${g.actorId} on ${target} ${g.targetId}`);
      return empty(204);
    };
    r.head(one, check);
    r.add("GET", one, check);
    r.delete(one, async (req) => {
      const g = await resolve(req, target, actor, act("revoke"), true);
      const a: Assignment = { actor, actor_id: g.actorId, target, target_id: g.targetId, role_id: g.roleId, inherited };
      if (!assignment.revoke(a)) throw notFound("role assignment", `${g.roleId} for ${actor} ${g.actorId} on ${target} ${g.targetId}`);
      revokeFor(a);
      return empty(204);
    });
    r.get(`${prefix}/roles${suffix}`, async (req) => {
      const g = await resolve(req, target, actor, act("list"), false);
      const ids = assignment.list({ actor_ids: [g.actorId], target, target_ids: [g.targetId], inherited }).map((a) => a.role_id);
      const roles = [...new Set(ids)].map((id) => assignment.findRole(id)).filter((x) => !!x);
      return json(
        200,
        collection(
          req,
          "roles",
          roles.map((x) => roleView(req, x!)),
        ),
      );
    });
  };
  for (const actor of ["user", "group"] as const) {
    const a = actor === "user" ? "users/{user_id}" : "groups/{group_id}";
    register("project", actor, `/projects/{project_id}/${a}`, "", false);
    register("domain", actor, `/domains/{domain_id}/${a}`, "", false);
    register("system", actor, `/system/${a}`, "", false);
    register("domain", actor, `/OS-INHERIT/domains/{domain_id}/${a}`, "/inherited_to_projects", true);
    register("project", actor, `/OS-INHERIT/projects/{project_id}/${a}`, "/inherited_to_projects", true);
  }

  r.get("/role_assignments", async (req) => {
    const q = (k: string) => strQuery(req, k);
    const userId = q("user.id");
    const groupId = q("group.id");
    const projectId = q("scope.project.id");
    const domainId = q("scope.domain.id");
    const system = q("scope.system");
    const roleId = q("role.id");
    const inheritedTo = q("scope.OS-INHERIT:inherited_to");
    const isEffective = req.query.has("effective") && boolQuery(req, "effective") !== false;
    const includeNames = req.query.has("include_names") && boolQuery(req, "include_names") !== false;
    const includeSubtree = req.query.has("include_subtree") && boolQuery(req, "include_subtree") !== false;
    if (userId && groupId) throw validation("Specify a user or group, not both");
    if ([projectId, domainId, system].filter(Boolean).length > 1) throw validation("Specify one of domain, project or system");
    if (isEffective && groupId) throw validation("Combining effective and group filter will always result in an empty list.");
    if (includeSubtree && !projectId) throw validation("scope.project.id must be specified if include_subtree is also specified");

    if (includeSubtree) {
      const p = resource.findProject(projectId as string);
      await enforce(ctx, req, "identity:list_role_assignments_for_tree", { project: p ?? {} });
    } else {
      await enforce(ctx, req, "identity:list_role_assignments", {});
    }

    // 1. the stored assignments that can contribute
    let actorIds: string[] | undefined;
    if (userId) actorIds = isEffective ? [userId, ...identity.groupIdsForUser(userId)] : [userId];
    if (groupId) actorIds = [groupId];
    let rows: Array<Assignment & { links: Dict }> = assignment
      .list({ actor_ids: actorIds })
      .map((a) => ({ ...a, links: { assignment: `${v3Url(req)}${grantPath(a)}` } }));

    if (isEffective) rows = expand(ctx, req, rows, userId);

    // 2. filters that apply after expansion
    const projectScope = projectId ? new Set([projectId, ...(includeSubtree ? resource.subtree(projectId) : [])]) : undefined;
    rows = rows.filter(
      (a) =>
        (!userId || (a.actor === "user" && a.actor_id === userId)) &&
        (!roleId || a.role_id === roleId) &&
        (!projectScope || (a.target === "project" && projectScope.has(a.target_id))) &&
        (!domainId || (a.target === "domain" && a.target_id === domainId)) &&
        (!system || a.target === "system") &&
        (!inheritedTo || a.inherited),
    );
    const out = rows.map((a) => render(ctx, a, includeNames));
    return json(200, collection(req, "role_assignments", out));
  });

  /** Effective mode: groups expanded to their members, inherited grants to the projects they reach, implied roles added. */
  function expand(ctx: KeystoneContext, req: HttpRequest, rows: Array<Assignment & { links: Dict }>, onlyUser?: string) {
    const out: Array<Assignment & { links: Dict }> = [];
    for (const a of rows) {
      const members = a.actor === "group" ? identity.userIdsInGroup(a.actor_id).filter((u) => !onlyUser || u === onlyUser) : [a.actor_id];
      for (const u of members) {
        const links: Dict = { ...a.links };
        if (a.actor === "group") links.membership = `${v3Url(req)}/groups/${a.actor_id}/users/${u}`;
        const base = { ...a, actor: "user" as const, actor_id: u, links };
        if (!a.inherited) out.push(base);
        else {
          const projects =
            a.target === "domain" ? resource.listProjects({ domain_id: a.target_id }).map((p) => p.id) : resource.subtree(a.target_id);
          for (const p of projects) out.push({ ...base, target: "project", target_id: p, inherited: false });
        }
      }
    }
    // implied roles, each linked to the role that implied it
    const withImplied: Array<Assignment & { links: Dict }> = [];
    for (const a of out) {
      withImplied.push(a);
      for (const implied of ctx.store.assignment.closure([a.role_id])) {
        if (implied === a.role_id) continue;
        withImplied.push({ ...a, role_id: implied, links: { ...a.links, prior_role: `${v3Url(req)}/roles/${a.role_id}` } });
      }
    }
    const seen = new Set<string>();
    return withImplied.filter((a) => {
      if (assignment.findRole(a.role_id)?.domain_id) return false; // domain-specific roles never become effective
      const key = `${a.actor_id}|${a.target}|${a.target_id}|${a.role_id}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  }

  function render(ctx: KeystoneContext, a: Assignment & { links: Dict }, names: boolean): Dict {
    const role: Dict = { id: a.role_id };
    const actor: Dict = { id: a.actor_id };
    let scope: Dict;
    if (a.target === "system") scope = { system: { all: true } };
    else scope = { [a.target]: { id: a.target_id } };
    if (a.inherited) scope["OS-INHERIT:inherited_to"] = "projects";
    if (names) {
      const ro = ctx.store.assignment.findRole(a.role_id);
      if (ro) {
        role.name = ro.name;
        if (ro.domain_id) role.domain = domainRef(ro.domain_id);
      }
      const ac = a.actor === "user" ? identity.findUser(a.actor_id) : identity.findGroup(a.actor_id);
      if (ac) Object.assign(actor, { name: ac.name, domain: domainRef(ac.domain_id) });
      if (a.target === "project") {
        const p = resource.findProject(a.target_id);
        if (p) Object.assign(scope.project as Dict, { name: p.name, domain: domainRef(p.domain_id) });
      } else if (a.target === "domain") {
        const d = resource.findDomain(a.target_id);
        if (d) (scope.domain as Dict).name = d.name;
      }
    }
    return { links: a.links, role, scope, [a.actor]: actor };
  }
  const domainRef = (id: string) => ({ id, name: resource.findDomain(id)?.name });
  void effective;
}
