import type { Router } from "../../common/http/router.js";
import { empty, json } from "../../common/http/types.js";
import { notFound, unauthorized, validation } from "../errors.js";
import {
  type KeystoneContext,
  bodyObject,
  boolQuery,
  callerToken,
  collection,
  enforce,
  hostUrl,
  listAnswer,
  optionalBool,
  optionalString,
  readOnly,
  requireString,
  strQuery,
} from "./common.js";
import { groupView, projectView, userView } from "./views.js";

/** /v3/users and /v3/groups, with group membership. */
export function userRoutes(r: Router, ctx: KeystoneContext): void {
  const { identity, resource, effective, revoke } = ctx.store;

  const defaultDomain = async (req: Parameters<typeof callerToken>[1]) => {
    const caller = await callerToken(ctx, req);
    return caller.scope.kind === "domain" ? caller.scope.domain.id : "default";
  };

  // ---- users
  r.post("/users", async (req) => {
    const body = await bodyObject(req, "user");
    const name = requireString(body, "name", { max: 255 });
    const password = optionalString(body, "password");
    optionalBool(body, "enabled");
    optionalString(body, "default_project_id");
    const domainId = optionalString(body, "domain_id") ?? (await defaultDomain(req));
    await enforce(ctx, req, "identity:create_user", { user: { ...body, domain_id: domainId } });
    if (!resource.findDomain(domainId)) throw notFound("domain", domainId);
    const u = identity.createUser({ ...body, name, domain_id: domainId, password });
    return json(201, { user: userView(req, u) });
  });
  r.get("/users", async (req) => {
    const domainId = strQuery(req, "domain_id");
    await enforce(ctx, req, "identity:list_users", domainId ? { domain_id: domainId } : {});
    const list = identity.listUsers({ name: strQuery(req, "name"), domain_id: domainId, enabled: boolQuery(req, "enabled") });
    return listAnswer(req, "users", list, userView);
  });
  r.get("/users/{user_id}", async (req) => {
    const u = identity.findUser(req.params.user_id as string);
    await enforce(ctx, req, "identity:get_user", { user: u ?? {} });
    if (!u) throw notFound("user", req.params.user_id as string);
    return json(200, { user: userView(req, u) });
  });
  r.patch("/users/{user_id}", async (req) => {
    const body = await bodyObject(req, "user");
    readOnly(body, ["id"]);
    if (body.name !== undefined) requireString(body, "name", { max: 255 });
    const enabled = optionalBool(body, "enabled");
    const password = optionalString(body, "password");
    const id = req.params.user_id as string;
    const cur = identity.findUser(id);
    await enforce(ctx, req, "identity:update_user", { user: cur ?? {} });
    if (!cur) throw notFound("user", id);
    if (body.domain_id !== undefined && body.domain_id !== cur.domain_id) throw validation("Cannot change Domain ID.");
    const u = identity.updateUser(id, body);
    if ((cur.enabled && enabled === false) || typeof password === "string") revoke.revoke({ user_id: id });
    return json(200, { user: userView(req, u) });
  });
  r.delete("/users/{user_id}", async (req) => {
    const id = req.params.user_id as string;
    await enforce(ctx, req, "identity:delete_user", { user: identity.findUser(id) ?? {} });
    identity.deleteUser(id);
    revoke.revoke({ user_id: id });
    return empty(204);
  });
  // Self-service password change: authenticated by the original password, not by a token.
  r.post("/users/{user_id}/password", async (req) => {
    const body = await bodyObject(req, "user");
    const original = requireString(body, "original_password");
    const password = requireString(body, "password");
    const id = req.params.user_id as string;
    const u = identity.findUser(id);
    if (!u || !u.enabled || !(await identity.verifyPassword(id, original))) throw unauthorized(hostUrl(req));
    identity.setPassword(id, password, true);
    revoke.revoke({ user_id: id });
    return empty(204);
  });
  r.get("/users/{user_id}/projects", async (req) => {
    const id = req.params.user_id as string;
    const u = identity.findUser(id);
    await enforce(ctx, req, "identity:list_user_projects", { user: u ?? {} });
    if (!u) throw notFound("user", id);
    const list = resource.listProjects({
      ids: effective.projectIds(id),
      name: strQuery(req, "name"),
      enabled: boolQuery(req, "enabled"),
      domain_id: strQuery(req, "domain_id"),
    });
    return listAnswer(req, "projects", list, projectView);
  });
  r.get("/users/{user_id}/groups", async (req) => {
    const id = req.params.user_id as string;
    const u = identity.findUser(id);
    await enforce(ctx, req, "identity:list_groups_for_user", { user: u ?? {} });
    if (!u) throw notFound("user", id);
    return json(
      200,
      collection(
        req,
        "groups",
        identity.groupsForUser(id).map((g) => groupView(req, g)),
      ),
    );
  });

  // ---- groups
  r.post("/groups", async (req) => {
    const body = await bodyObject(req, "group");
    const name = requireString(body, "name", { max: 64 });
    optionalString(body, "description");
    const domainId = optionalString(body, "domain_id") ?? (await defaultDomain(req));
    await enforce(ctx, req, "identity:create_group", { group: { ...body, domain_id: domainId } });
    if (!resource.findDomain(domainId)) throw notFound("domain", domainId);
    const g = identity.createGroup({ ...body, name, domain_id: domainId });
    return json(201, { group: groupView(req, g) });
  });
  r.get("/groups", async (req) => {
    const domainId = strQuery(req, "domain_id");
    await enforce(ctx, req, "identity:list_groups", domainId ? { domain_id: domainId } : {});
    const list = identity.listGroups({ name: strQuery(req, "name"), domain_id: domainId });
    return listAnswer(req, "groups", list, groupView);
  });
  r.get("/groups/{group_id}", async (req) => {
    const g = identity.findGroup(req.params.group_id as string);
    await enforce(ctx, req, "identity:get_group", { group: g ?? {} });
    if (!g) throw notFound("group", req.params.group_id as string);
    return json(200, { group: groupView(req, g) });
  });
  r.patch("/groups/{group_id}", async (req) => {
    const body = await bodyObject(req, "group");
    readOnly(body, ["id"]);
    if (body.name !== undefined) requireString(body, "name", { max: 64 });
    const id = req.params.group_id as string;
    const g = identity.findGroup(id);
    await enforce(ctx, req, "identity:update_group", { group: g ?? {} });
    if (!g) throw notFound("group", id);
    if (body.domain_id !== undefined && body.domain_id !== g.domain_id) throw validation("Cannot change Domain ID.");
    return json(200, { group: groupView(req, identity.updateGroup(id, body)) });
  });
  r.delete("/groups/{group_id}", async (req) => {
    const id = req.params.group_id as string;
    const g = identity.findGroup(id);
    await enforce(ctx, req, "identity:delete_group", { group: g ?? {} });
    const members = g ? identity.userIdsInGroup(id) : [];
    identity.deleteGroup(id);
    for (const u of members) revoke.revoke({ user_id: u });
    return empty(204);
  });
  r.get("/groups/{group_id}/users", async (req) => {
    const id = req.params.group_id as string;
    const g = identity.findGroup(id);
    await enforce(ctx, req, "identity:list_users_in_group", { group: g ?? {} });
    if (!g) throw notFound("group", id);
    const users = identity.listUsers({ ids: identity.userIdsInGroup(id), name: strQuery(req, "name"), enabled: boolQuery(req, "enabled") });
    return listAnswer(req, "users", users, userView);
  });

  const membership = (action: string) => async (req: Parameters<Parameters<Router["put"]>[1]>[0]) => {
    const gid = req.params.group_id as string;
    const uid = req.params.user_id as string;
    const g = identity.findGroup(gid);
    const u = identity.findUser(uid);
    await enforce(ctx, req, action, { group: g ?? {}, user: u ?? {} });
    if (!g) throw notFound("group", gid);
    if (!u) throw notFound("user", uid);
    return { g, u };
  };
  r.put("/groups/{group_id}/users/{user_id}", async (req) => {
    const { g, u } = await membership("identity:add_user_to_group")(req);
    identity.addToGroup(u.id, g.id);
    return empty(204);
  });
  const check = async (req: Parameters<Parameters<Router["put"]>[1]>[0]) => {
    const { g, u } = await membership("identity:check_user_in_group")(req);
    if (!identity.isMember(u.id, g.id)) throw notFound("user", `${u.id} in group ${g.id}`);
    return empty(204);
  };
  r.head("/groups/{group_id}/users/{user_id}", check);
  r.add("GET", "/groups/{group_id}/users/{user_id}", check);
  r.delete("/groups/{group_id}/users/{user_id}", async (req) => {
    const { g, u } = await membership("identity:remove_user_from_group")(req);
    if (!identity.removeFromGroup(u.id, g.id)) throw notFound("user", `${u.id} in group ${g.id}`);
    revoke.revoke({ user_id: u.id });
    return empty(204);
  });
}
