import type { Router } from "../../common/http/router.js";
import type { HttpRequest } from "../../common/http/types.js";
import { empty, json } from "../../common/http/types.js";
import type { Role } from "../backends/assignment.js";
import { forbiddenMsg, notFound } from "../errors.js";
import {
  type KeystoneContext,
  bodyObject,
  enforce,
  links,
  listAnswer,
  optionalString,
  readOnly,
  requireString,
  strQuery,
} from "./common.js";
import { roleView } from "./views.js";

// Keystone's [assignment] prohibited_implied_role default: nothing may imply admin.
const PROHIBITED_IMPLIED = ["admin"];

/** /v3/roles (global and domain-specific) and implied roles (role inference rules). */
export function roleRoutes(r: Router, ctx: KeystoneContext): void {
  const { assignment, resource } = ctx.store;
  const isDomainRole = (role: Role | undefined) => !!role?.domain_id;

  r.post("/roles", async (req) => {
    const body = await bodyObject(req, "role");
    const name = requireString(body, "name", { max: 255 });
    optionalString(body, "description");
    const domainId = optionalString(body, "domain_id") ?? null;
    await enforce(ctx, req, domainId ? "identity:create_domain_role" : "identity:create_role", { role: body });
    if (domainId && !resource.findDomain(domainId)) throw notFound("domain", domainId);
    return json(201, { role: roleView(req, assignment.createRole({ ...body, name, domain_id: domainId })) });
  });
  r.get("/roles", async (req) => {
    const domainId = strQuery(req, "domain_id");
    await enforce(ctx, req, domainId ? "identity:list_domain_roles" : "identity:list_roles", domainId ? { domain_id: domainId } : {});
    const list = assignment.listRoles({ name: strQuery(req, "name"), domain_id: domainId ?? null });
    return listAnswer(req, "roles", list, roleView);
  });
  r.get("/roles/{role_id}", async (req) => {
    const role = assignment.findRole(req.params.role_id as string);
    await enforce(ctx, req, isDomainRole(role) ? "identity:get_domain_role" : "identity:get_role", { role: role ?? {} });
    if (!role) throw notFound("role", req.params.role_id as string);
    return json(200, { role: roleView(req, role) });
  });
  r.patch("/roles/{role_id}", async (req) => {
    const body = await bodyObject(req, "role");
    readOnly(body, ["id", "domain_id"]);
    if (body.name !== undefined) requireString(body, "name", { max: 255 });
    const role = assignment.findRole(req.params.role_id as string);
    await enforce(ctx, req, isDomainRole(role) ? "identity:update_domain_role" : "identity:update_role", { role: role ?? {} });
    if (!role) throw notFound("role", req.params.role_id as string);
    return json(200, { role: roleView(req, assignment.updateRole(role.id, body)) });
  });
  r.delete("/roles/{role_id}", async (req) => {
    const role = assignment.findRole(req.params.role_id as string);
    await enforce(ctx, req, isDomainRole(role) ? "identity:delete_domain_role" : "identity:delete_role", { role: role ?? {} });
    if (!role) throw notFound("role", req.params.role_id as string);
    assignment.deleteRole(role.id);
    return empty(204);
  });

  // ---- implied roles
  const brief = (req: HttpRequest, role: Role) => ({ id: role.id, name: role.name, links: links(req, `/roles/${role.id}`) });
  const pair = async (req: HttpRequest, action: string) => {
    await enforce(ctx, req, action);
    const prior = assignment.getRole(req.params.prior_role_id as string);
    const implied = assignment.getRole(req.params.implied_role_id as string);
    return { prior, implied };
  };
  r.put("/roles/{prior_role_id}/implies/{implied_role_id}", async (req) => {
    const { prior, implied } = await pair(req, "identity:create_implied_role");
    if (implied.domain_id) throw forbiddenMsg(`Implied role ${implied.id} cannot be a domain-specific role.`);
    if (PROHIBITED_IMPLIED.includes(implied.name)) throw forbiddenMsg(`${implied.name} role cannot be an implied role.`);
    assignment.addImplied(prior.id, implied.id);
    return json(201, {
      role_inference: { prior_role: brief(req, prior), implies: brief(req, implied) },
      links: links(req, `/roles/${prior.id}/implies/${implied.id}`),
    });
  });
  const getImplied = async (req: HttpRequest, action: string) => {
    const { prior, implied } = await pair(req, action);
    if (!assignment.hasImplied(prior.id, implied.id)) throw notFound("implied role", `${prior.id} implies ${implied.id}`);
    return { prior, implied };
  };
  r.add("GET", "/roles/{prior_role_id}/implies/{implied_role_id}", async (req) => {
    const { prior, implied } = await getImplied(req, "identity:get_implied_role");
    return json(200, {
      role_inference: { prior_role: brief(req, prior), implies: brief(req, implied) },
      links: links(req, `/roles/${prior.id}/implies/${implied.id}`),
    });
  });
  r.head("/roles/{prior_role_id}/implies/{implied_role_id}", async (req) => {
    await getImplied(req, "identity:check_implied_role");
    return empty(204);
  });
  r.delete("/roles/{prior_role_id}/implies/{implied_role_id}", async (req) => {
    const { prior, implied } = await getImplied(req, "identity:delete_implied_role");
    assignment.removeImplied(prior.id, implied.id);
    return empty(204);
  });
  r.get("/roles/{prior_role_id}/implies", async (req) => {
    await enforce(ctx, req, "identity:list_implied_roles");
    const prior = assignment.getRole(req.params.prior_role_id as string);
    const implies = (assignment.implied().get(prior.id) ?? []).map((id) => assignment.findRole(id)).filter((x): x is Role => !!x);
    return json(200, {
      role_inference: { prior_role: brief(req, prior), implies: implies.map((i) => brief(req, i)) },
      links: links(req, `/roles/${prior.id}/implies`),
    });
  });
  r.get("/role_inferences", async (req) => {
    await enforce(ctx, req, "identity:list_role_inference_rules");
    const out = [];
    for (const [priorId, ids] of assignment.implied()) {
      const prior = assignment.findRole(priorId);
      if (!prior) continue;
      const implies = ids.map((id) => assignment.findRole(id)).filter((x): x is Role => !!x);
      out.push({ prior_role: brief(req, prior), implies: implies.map((i) => brief(req, i)) });
    }
    return json(200, { role_inferences: out, links: links(req, "/role_inferences") });
  });
}
