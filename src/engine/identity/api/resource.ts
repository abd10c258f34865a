import { type Router, jsonBody } from "../../common/http/router.js";
import { empty, json } from "../../common/http/types.js";
import { invalidField, notFound, validation } from "../errors.js";
import {
  type KeystoneContext,
  bodyObject,
  boolQuery,
  callerToken,
  collection,
  enforce,
  listAnswer,
  optionalBool,
  optionalString,
  readOnly,
  requireString,
  strQuery,
} from "./common.js";
import { domainView, projectView } from "./views.js";

function tagsOf(obj: Record<string, unknown>): string[] | undefined {
  const t = obj.tags;
  if (t === undefined) return undefined;
  if (!Array.isArray(t) || !t.every((x) => typeof x === "string"))
    throw invalidField("tags", `${JSON.stringify(t)} is not of type 'array' of strings`);
  return t as string[];
}

/** /v3/domains and /v3/projects. */
export function resourceRoutes(r: Router, ctx: KeystoneContext): void {
  const { resource, revoke } = ctx.store;

  // ---- domains
  r.post("/domains", async (req) => {
    const body = await bodyObject(req, "domain");
    const name = requireString(body, "name", { max: 64 });
    optionalString(body, "description");
    optionalBool(body, "enabled");
    await enforce(ctx, req, "identity:create_domain", { domain: body });
    const d = resource.createDomain({ ...body, id: optionalString(body, "id") ?? undefined, name, tags: tagsOf(body) });
    return json(201, { domain: domainView(req, d) });
  });
  r.get("/domains", async (req) => {
    await enforce(ctx, req, "identity:list_domains");
    const list = resource.listDomains({ name: strQuery(req, "name"), enabled: boolQuery(req, "enabled") });
    return listAnswer(req, "domains", list, domainView);
  });
  r.get("/domains/{domain_id}", async (req) => {
    const d = resource.findDomain(req.params.domain_id as string);
    await enforce(ctx, req, "identity:get_domain", { domain: d ?? {} });
    if (!d) throw notFound("domain", req.params.domain_id as string);
    return json(200, { domain: domainView(req, d) });
  });
  r.patch("/domains/{domain_id}", async (req) => {
    const body = await bodyObject(req, "domain");
    readOnly(body, ["id"]);
    if (body.name !== undefined) requireString(body, "name", { max: 64 });
    const enabled = optionalBool(body, "enabled");
    const id = req.params.domain_id as string;
    await enforce(ctx, req, "identity:update_domain", { domain: resource.findDomain(id) ?? {} });
    const before = resource.getDomain(id);
    const d = resource.updateDomain(id, { ...body, ...(tagsOf(body) ? { tags: tagsOf(body) } : {}) });
    if (before.enabled && enabled === false) revoke.revoke({ domain_id: id });
    return json(200, { domain: domainView(req, d) });
  });
  r.delete("/domains/{domain_id}", async (req) => {
    const id = req.params.domain_id as string;
    await enforce(ctx, req, "identity:delete_domain", { domain: resource.findDomain(id) ?? {} });
    resource.deleteDomain(id);
    return empty(204);
  });

  // ---- projects
  r.post("/projects", async (req) => {
    const body = await bodyObject(req, "project");
    const name = requireString(body, "name", { max: 64 });
    optionalString(body, "description");
    optionalBool(body, "enabled");
    if (body.is_domain === true) throw validation("Creating a project acting as a domain is not supported here; use POST /v3/domains.");
    const parentId = optionalString(body, "parent_id") ?? undefined;
    const caller = await callerToken(ctx, req);
    // No domain given: the parent's, else the caller's token domain, else the default domain (as Keystone).
    const domainId =
      optionalString(body, "domain_id") ??
      (parentId ? (resource.findProject(parentId)?.domain_id ?? (resource.findDomain(parentId) ? parentId : undefined)) : undefined) ??
      (caller.scope.kind === "project"
        ? caller.scope.project.domain_id
        : caller.scope.kind === "domain"
          ? caller.scope.domain.id
          : "default");
    await enforce(ctx, req, "identity:create_project", { project: { ...body, domain_id: domainId } });
    if (!resource.findDomain(domainId)) throw notFound("domain", domainId);
    const p = resource.createProject({ ...body, name, domain_id: domainId, parent_id: parentId, tags: tagsOf(body) });
    return json(201, { project: projectView(req, p) });
  });
  r.get("/projects", async (req) => {
    const domainId = strQuery(req, "domain_id");
    await enforce(ctx, req, "identity:list_projects", domainId ? { domain_id: domainId } : {});
    if (boolQuery(req, "is_domain") === true) {
      const ds = resource.listDomains({ name: strQuery(req, "name"), enabled: boolQuery(req, "enabled") });
      return json(
        200,
        collection(
          req,
          "projects",
          ds.map((d) => ({ ...domainView(req, d), domain_id: null, parent_id: null, is_domain: true })),
        ),
      );
    }
    const list = resource.listProjects({
      name: strQuery(req, "name"),
      domain_id: domainId,
      enabled: boolQuery(req, "enabled"),
      parent_id: strQuery(req, "parent_id"),
    });
    return listAnswer(req, "projects", list, projectView);
  });
  r.get("/projects/{project_id}", async (req) => {
    const id = req.params.project_id as string;
    const p = resource.findProject(id);
    await enforce(ctx, req, "identity:get_project", { project: p ?? {} });
    if (!p) throw notFound("project", id);
    const view: Record<string, unknown> = projectView(req, p);
    if (req.query.has("parents_as_ids")) view.parents = nest(resource.ancestors(id));
    if (req.query.has("subtree_as_ids")) view.subtree = subtreeIds(ctx, id);
    return json(200, { project: view });
  });
  r.patch("/projects/{project_id}", async (req) => {
    const body = await bodyObject(req, "project");
    readOnly(body, ["id", "is_domain"]);
    if (body.name !== undefined) requireString(body, "name", { max: 64 });
    const enabled = optionalBool(body, "enabled");
    const id = req.params.project_id as string;
    await enforce(ctx, req, "identity:update_project", { project: resource.findProject(id) ?? {} });
    const before = resource.getProject(id);
    const tags = tagsOf(body);
    const p = resource.updateProject(id, { ...body, ...(tags ? { tags } : {}) });
    if (before.enabled && enabled === false) revoke.revoke({ project_id: id });
    return json(200, { project: projectView(req, p) });
  });
  r.delete("/projects/{project_id}", async (req) => {
    const id = req.params.project_id as string;
    await enforce(ctx, req, "identity:delete_project", { project: resource.findProject(id) ?? {} });
    resource.deleteProject(id);
    revoke.revoke({ project_id: id });
    return empty(204);
  });

  // ---- project tags
  r.get("/projects/{project_id}/tags", async (req) => {
    const id = req.params.project_id as string;
    await enforce(ctx, req, "identity:list_project_tags", { project: resource.findProject(id) ?? {} });
    return json(200, { tags: resource.getProject(id).tags, links: { self: null, previous: null, next: null } });
  });
  r.get("/projects/{project_id}/tags/{tag}", async (req) => {
    const id = req.params.project_id as string;
    await enforce(ctx, req, "identity:get_project_tag", { project: resource.findProject(id) ?? {} });
    if (!resource.getProject(id).tags.includes(req.params.tag as string)) throw notFound("project tag", req.params.tag as string);
    return empty(204);
  });
  r.put("/projects/{project_id}/tags/{tag}", async (req) => {
    const id = req.params.project_id as string;
    await enforce(ctx, req, "identity:create_project_tag", { project: resource.findProject(id) ?? {} });
    const p = resource.getProject(id);
    resource.updateProject(id, { tags: [...new Set([...p.tags, req.params.tag as string])] });
    return json(201, { tags: resource.getProject(id).tags });
  });
  r.put("/projects/{project_id}/tags", async (req) => {
    const id = req.params.project_id as string;
    await enforce(ctx, req, "identity:update_project_tags", { project: resource.findProject(id) ?? {} });
    const tags = tagsOf(await jsonBody(req)) ?? [];
    resource.updateProject(id, { tags });
    return json(200, { tags: resource.getProject(id).tags });
  });
  r.delete("/projects/{project_id}/tags/{tag}", async (req) => {
    const id = req.params.project_id as string;
    await enforce(ctx, req, "identity:delete_project_tag", { project: resource.findProject(id) ?? {} });
    const p = resource.getProject(id);
    if (!p.tags.includes(req.params.tag as string)) throw notFound("project tag", req.params.tag as string);
    resource.updateProject(id, { tags: p.tags.filter((t) => t !== req.params.tag) });
    return empty(204);
  });
  r.delete("/projects/{project_id}/tags", async (req) => {
    const id = req.params.project_id as string;
    await enforce(ctx, req, "identity:delete_project_tags", { project: resource.findProject(id) ?? {} });
    resource.updateProject(id, { tags: [] });
    return empty(204);
  });
}

/** Keystone's parents_as_ids: {parent: {grandparent: null}}. */
function nest(ids: string[]): Record<string, unknown> | null {
  let out: Record<string, unknown> | null = null;
  for (const id of [...ids].reverse()) out = { [id]: out };
  return out;
}

function subtreeIds(ctx: KeystoneContext, id: string): Record<string, unknown> | null {
  const children = ctx.store.resource.listProjects({ parent_id: id });
  if (children.length === 0) return null;
  return Object.fromEntries(children.map((c) => [c.id, subtreeIds(ctx, c.id)]));
}
