import { HttpError } from "../../common/http/errors.js";
import { type Router, jsonBody } from "../../common/http/router.js";
import { type HttpRequest, empty, json } from "../../common/http/types.js";
import { keypairsOf } from "../objects/keypairs.js";
import {
  QUOTA_RESOURCES,
  type QuotaResource,
  defaultLimits,
  deleteProjectLimits,
  instanceUsage,
  projectLimits,
  setProjectLimits,
} from "../objects/quotas.js";
import { type ServerGroup, createServerGroup, deleteServerGroup, getServerGroup, listServerGroups } from "../objects/server-groups.js";
import { atLeast } from "./microversion.js";
import type { NovaApi } from "./nova-api.js";
import { quotaUpdate, serverGroupCreate } from "./schemas.js";
import { validate } from "./validation.js";

/** limits, os-quota-sets and os-server-groups: what a project may use and how its servers are grouped. */
export function addProjectRoutes(r: Router, api: NovaApi): void {
  /** The quota resources a microversion shows (2.36 drops the network ones, 2.57 the injected files). */
  const shown = (req: HttpRequest): string[] => {
    let keys: string[] = [...QUOTA_RESOURCES];
    if (atLeast(req, 57)) keys = keys.filter((k) => !k.startsWith("injected_file"));
    if (!atLeast(req, 36)) keys.push("fixed_ips", "floating_ips", "security_group_rules", "security_groups");
    return keys;
  };
  const quotaSet = (req: HttpRequest, limits: Record<string, number>, id?: string) => {
    const out: Record<string, unknown> = id ? { id } : {};
    for (const k of shown(req)) out[k] = limits[k] ?? -1;
    return out;
  };
  const groupsOf = (project: string) => listServerGroups(api.apiDb, project).length;

  r.get("/limits", (req) => {
    const ctx = api.ctx(req);
    api.policy.authorize(ctx, "os_compute_api:limits");
    const project = req.query.get("tenant_id") && api.isAdmin(ctx) ? (req.query.get("tenant_id") as string) : (ctx.project_id ?? "");
    const l = projectLimits(api.apiDb, api.config, project);
    const u = instanceUsage(api.cells, project);
    const absolute: Record<string, number> = {
      maxServerMeta: l.metadata_items,
      maxImageMeta: l.metadata_items,
      maxTotalCores: l.cores,
      maxTotalInstances: l.instances,
      maxTotalRAMSize: l.ram,
      maxTotalKeypairs: l.key_pairs,
      maxServerGroups: l.server_groups,
      maxServerGroupMembers: l.server_group_members,
      totalCoresUsed: u.cores,
      totalInstancesUsed: u.instances,
      totalRAMUsed: u.ram,
      totalServerGroupsUsed: groupsOf(project),
    };
    if (!atLeast(req, 57)) Object.assign(absolute, { maxPersonality: l.injected_files, maxPersonalitySize: l.injected_file_content_bytes });
    if (!atLeast(req, 36))
      Object.assign(absolute, {
        maxSecurityGroups: 10,
        maxSecurityGroupRules: 20,
        maxTotalFloatingIps: 10,
        totalFloatingIpsUsed: 0,
        totalSecurityGroupsUsed: 0,
      });
    if (atLeast(req, 39)) delete absolute.maxImageMeta;
    return json(200, { limits: { rate: [], absolute } });
  });

  r.get("/os-quota-sets/{project_id}/defaults", (req) => {
    api.policy.authorize(api.ctx(req), "os_compute_api:os-quota-sets:defaults");
    return json(200, { quota_set: quotaSet(req, defaultLimits(api.config), req.params.project_id) });
  });
  r.get("/os-quota-sets/{project_id}/detail", (req) => {
    const ctx = api.ctx(req);
    const project = req.params.project_id ?? "";
    api.policy.authorize(ctx, "os_compute_api:os-quota-sets:detail", { project_id: project });
    const l = projectLimits(api.apiDb, api.config, project);
    const u = instanceUsage(api.cells, project);
    const used: Record<string, number> = {
      instances: u.instances,
      cores: u.cores,
      ram: u.ram,
      server_groups: groupsOf(project),
      key_pairs: keypairsOf(api.apiDb, ctx.user_id ?? "").length,
    };
    const out: Record<string, unknown> = { id: project };
    for (const k of shown(req)) out[k] = { limit: l[k as QuotaResource] ?? -1, in_use: used[k] ?? 0, reserved: 0 };
    return json(200, { quota_set: out });
  });
  r.get("/os-quota-sets/{project_id}", (req) => {
    const ctx = api.ctx(req);
    const project = req.params.project_id ?? "";
    api.policy.authorize(ctx, "os_compute_api:os-quota-sets:show", { project_id: project });
    return json(200, { quota_set: quotaSet(req, projectLimits(api.apiDb, api.config, project), project) });
  });
  r.put("/os-quota-sets/{project_id}", async (req) => {
    const ctx = api.ctx(req);
    const project = req.params.project_id ?? "";
    api.policy.authorize(ctx, "os_compute_api:os-quota-sets:update", { project_id: project });
    const body = await jsonBody(req);
    validate(quotaUpdate, body);
    const qs = body.quota_set as Record<string, unknown>;
    const values: Partial<Record<QuotaResource, number>> = {};
    for (const [k, v] of Object.entries(qs)) {
      if (k === "force") continue;
      if (!shown(req).includes(k))
        throw new HttpError(
          400,
          `Invalid input for field/attribute quota_set. Additional properties are not allowed ('${k}' was unexpected)`,
        );
      if (!(QUOTA_RESOURCES as readonly string[]).includes(k)) continue;
      values[k as QuotaResource] = Number(v);
    }
    const force = qs.force === true || qs.force === "true";
    if (!force) {
      const u = instanceUsage(api.cells, project);
      for (const k of ["instances", "cores", "ram"] as const) {
        const v = values[k];
        if (v !== undefined && v >= 0 && v < u[k])
          throw new HttpError(400, `Quota limit ${v} for ${k} must be greater than or equal to already used and reserved ${u[k]}.`);
      }
    }
    setProjectLimits(api.apiDb, project, values);
    return json(200, { quota_set: quotaSet(req, projectLimits(api.apiDb, api.config, project)) });
  });
  r.delete("/os-quota-sets/{project_id}", (req) => {
    api.policy.authorize(api.ctx(req), "os_compute_api:os-quota-sets:delete", { project_id: req.params.project_id });
    deleteProjectLimits(api.apiDb, req.params.project_id ?? "");
    return empty(202);
  });

  // --- os-server-groups
  const groupView = (req: HttpRequest, g: ServerGroup) => {
    const v: Record<string, unknown> = { id: g.uuid, name: g.name, members: g.members };
    if (atLeast(req, 64)) Object.assign(v, { policy: g.policy, rules: g.rules });
    else Object.assign(v, { policies: [g.policy], metadata: {} });
    if (atLeast(req, 13)) Object.assign(v, { project_id: g.project_id, user_id: g.user_id });
    return v;
  };
  const findGroup = (req: HttpRequest) => {
    const ctx = api.ctx(req);
    const g = getServerGroup(api.apiDb, req.params.group_id ?? "");
    if (!g || (g.project_id !== ctx.project_id && !api.isAdmin(ctx)))
      throw new HttpError(404, `Instance group ${req.params.group_id} could not be found.`);
    return g;
  };
  r.post("/os-server-groups", async (req) => {
    const ctx = api.ctx(req);
    api.policy.authorize(ctx, "os_compute_api:os-server-groups:create");
    const body = await jsonBody(req);
    validate(serverGroupCreate, body);
    const sg = body.server_group as { name: string; policies?: string[]; policy?: string; rules?: Record<string, unknown> };
    let policy: string | undefined;
    if (atLeast(req, 64)) {
      if (sg.policies)
        throw new HttpError(
          400,
          `Invalid input for field/attribute server_group. Additional properties are not allowed ('policies' was unexpected)`,
        );
      policy = sg.policy;
      if (!policy) throw new HttpError(400, `Invalid input for field/attribute server_group. 'policy' is a required property`);
      if (sg.rules && Object.keys(sg.rules).length && policy !== "anti-affinity")
        throw new HttpError(400, `Only anti-affinity policy supports "max_server_per_host" rule.`);
    } else {
      if (sg.policy || sg.rules)
        throw new HttpError(
          400,
          `Invalid input for field/attribute server_group. Additional properties are not allowed ('policy' was unexpected)`,
        );
      policy = sg.policies?.[0];
      if (!policy) throw new HttpError(400, `Invalid input for field/attribute server_group. 'policies' is a required property`);
      if (!atLeast(req, 15) && policy.startsWith("soft-"))
        throw new HttpError(400, `Invalid input for field/attribute policies. '${policy}' is not one of ['anti-affinity', 'affinity']`);
    }
    const limit = projectLimits(api.apiDb, api.config, ctx.project_id ?? "").server_groups;
    if (limit >= 0 && groupsOf(ctx.project_id ?? "") >= limit) throw new HttpError(403, "Quota exceeded, too many server groups.");
    const rules = sg.rules?.max_server_per_host !== undefined ? { max_server_per_host: Number(sg.rules.max_server_per_host) } : {};
    const g = createServerGroup(api.apiDb, { name: sg.name, user_id: ctx.user_id ?? "", project_id: ctx.project_id ?? "", policy, rules });
    return json(200, { server_group: groupView(req, g) });
  });
  r.get("/os-server-groups", (req) => {
    const ctx = api.ctx(req);
    api.policy.authorize(ctx, "os_compute_api:os-server-groups:index");
    const allProjects = req.query.has("all_projects");
    if (allProjects) api.policy.authorize(ctx, "os_compute_api:os-server-groups:index:all_projects");
    const groups = listServerGroups(api.apiDb, allProjects ? undefined : ctx.project_id);
    return json(200, { server_groups: groups.map((g) => groupView(req, g)) });
  });
  r.get("/os-server-groups/{group_id}", (req) => {
    api.policy.authorize(api.ctx(req), "os_compute_api:os-server-groups:show");
    return json(200, { server_group: groupView(req, findGroup(req)) });
  });
  r.delete("/os-server-groups/{group_id}", (req) => {
    api.policy.authorize(api.ctx(req), "os_compute_api:os-server-groups:delete");
    deleteServerGroup(api.apiDb, findGroup(req).uuid);
    return empty(204);
  });
}
