import { randomBytes } from "node:crypto";
import { HttpError } from "../../common/http/errors.js";
import { type Router, jsonBody } from "../../common/http/router.js";
import { type HttpRequest, empty, json } from "../../common/http/types.js";
import { withSpan } from "../../common/trace/tracer.js";
import { listBuildRequests } from "../objects/build-requests.js";
import { type Instance, type rowToInstance, rowsToInstances, saveInstance } from "../objects/instance.js";
import { groupOfInstance } from "../objects/server-groups.js";
import { ComputeAPI, type CreateRequest } from "./compute-api.js";
import { atLeast } from "./microversion.js";
import type { FoundServer, NovaApi } from "./nova-api.js";
import { serverCreate, serverUpdate } from "./schemas.js";
import { validate } from "./validation.js";
import { basicView, detailView, serverLinks, statusOf } from "./views.js";

const truthy = (v: unknown) => v === true || (typeof v === "string" && /^(true|1|yes|on)$/i.test(v));

/** vm_states a `status` filter means (the reverse of the state map). */
const STATUS_TO_VM: Record<string, string[]> = {
  ACTIVE: ["active"],
  BUILD: ["building"],
  SHUTOFF: ["stopped"],
  PAUSED: ["paused"],
  SUSPENDED: ["suspended"],
  ERROR: ["error"],
  DELETED: ["deleted"],
  VERIFY_RESIZE: ["resized"],
  RESCUE: ["rescued"],
  SHELVED: ["shelved"],
  SHELVED_OFFLOADED: ["shelved_offloaded"],
  SOFT_DELETED: ["soft-delete"],
  REBOOT: ["active"],
  HARD_REBOOT: ["active"],
  REBUILD: ["active", "stopped", "error"],
  RESIZE: ["active", "stopped"],
  MIGRATING: ["active"],
};

/** ServersController: /servers and /servers/detail, /servers/{id}. */
export function addServerRoutes(r: Router, api: NovaApi): ComputeAPI {
  const compute = new ComputeAPI(api);

  r.post("/servers", (req) =>
    withSpan("ServersController.create", "internal", async () => {
      const ctx = api.ctx(req);
      const body = await jsonBody(req);
      validate(serverCreate, body);
      const s = body.server as Record<string, any>;
      api.policy.authorize(ctx, "os_compute_api:servers:create", { project_id: ctx.project_id, user_id: ctx.user_id });
      const gated: Array<[string, number]> = [
        ["description", 19],
        ["tags", 52],
        ["trusted_image_certificates", 63],
        ["host", 74],
        ["hypervisor_hostname", 74],
      ];
      for (const [field, minor] of gated)
        if (field in s && !atLeast(req, minor)) throw new HttpError(400, `Invalid input for field/attribute server. Value: ${JSON.stringify(s)}. Additional properties are not allowed ('${field}' was unexpected)`);
      if (atLeast(req, 37) && s.networks === undefined)
        throw new HttpError(400, `Invalid input for field/attribute server. Value: ${JSON.stringify(s)}. 'networks' is a required property`);
      if (!s.imageRef) throw new HttpError(400, "Missing imageRef attribute");
      const min = Number(s.min_count ?? 1);
      const max = Number(s.max_count ?? min);
      if (min > max) throw new HttpError(400, `min_count must be <= max_count`);
      let zone: string | undefined = s.availability_zone;
      let forced: string | undefined;
      if (zone?.includes(":")) {
        const [z, host] = zone.split(":");
        zone = z || undefined;
        forced = host || undefined;
      }
      if (s.host) forced = s.host;
      if (forced) api.policy.authorize(ctx, "os_compute_api:servers:create:forced_host");
      const hints = (body["os:scheduler_hints"] ?? body["OS-SCH-HNT:scheduler_hints"] ?? {}) as Record<string, unknown>;
      const create: CreateRequest = {
        name: s.name,
        imageRef: s.imageRef,
        flavorRef: String(s.flavorRef),
        metadata: s.metadata ?? {},
        key_name: s.key_name,
        availability_zone: zone,
        user_data: s.user_data,
        config_drive: truthy(s.config_drive),
        min_count: min,
        max_count: max,
        description: s.description,
        tags: s.tags ?? [],
        group: hints.group as string | undefined,
        hints,
        access_ip_v4: s.accessIPv4,
        access_ip_v6: s.accessIPv6,
        forced_host: forced,
      };
      if (s.user_data && !/^[A-Za-z0-9+/=\s]*$/.test(s.user_data)) throw new HttpError(400, "User data needs to be valid base 64.");
      const { instances, reservation_id } = await compute.create(ctx, create);
      if (truthy(s.return_reservation_id)) return json(202, { reservation_id });
      const first = instances[0] as Instance;
      const server: Record<string, unknown> = {
        id: first.uuid,
        links: serverLinks(api, req, first.uuid),
        "OS-DCF:diskConfig": s["OS-DCF:diskConfig"] ?? "MANUAL",
        security_groups: [{ name: "default" }],
        adminPass: s.adminPass ?? randomBytes(9).toString("base64url").slice(0, 12),
      };
      return json(202, { server }, { location: `${api.baseUrl(req)}/v2.1/servers/${first.uuid}` });
    }),
  );

  const list = (detail: boolean) => async (req: HttpRequest) => {
    const ctx = api.ctx(req);
    const admin = api.isAdmin(ctx);
    api.policy.authorize(ctx, detail ? "os_compute_api:servers:detail" : "os_compute_api:servers:index", { project_id: ctx.project_id });
    const q = req.query;
    const allTenants = q.has("all_tenants") && (q.get("all_tenants") === "" || truthy(q.get("all_tenants")));
    if (allTenants) api.policy.authorize(ctx, detail ? "os_compute_api:servers:detail:get_all_tenants" : "os_compute_api:servers:index:get_all_tenants");
    const project = allTenants ? (q.get("project_id") ?? q.get("tenant_id") ?? undefined) : ctx.project_id;
    const showDeleted = admin && truthy(q.get("deleted"));
    const maxLimit = api.config.int("api", "max_limit");
    const limitRaw = q.get("limit");
    if (limitRaw !== null && !/^\d+$/.test(limitRaw)) throw new HttpError(400, `limit param must be an integer`);
    const limit = Math.min(limitRaw === null ? maxLimit : Number(limitRaw), maxLimit);
    const status = q.get("status")?.toUpperCase();
    if (status && !STATUS_TO_VM[status]) {
      if (!admin) return json(200, detail ? { servers: [] } : { servers: [] });
      throw new HttpError(400, `Invalid status value`);
    }
    const name = q.get("name");
    let nameRe: RegExp | undefined;
    try {
      nameRe = name ? new RegExp(name) : undefined;
    } catch {
      throw new HttpError(400, `Invalid regular expression for name: ${name}`);
    }
    const since = q.get("changes-since") ?? q.get("changes_since");
    const tags = q.get("tags")?.split(",").filter(Boolean);
    const tagsAny = q.get("tags-any")?.split(",").filter(Boolean);
    const notTags = q.get("not-tags")?.split(",").filter(Boolean);
    const found: FoundServer[] = [];
    const where: string[] = [];
    const args: unknown[] = [];
    if (project) {
      where.push("project_id = ?");
      args.push(project);
    }
    if (!showDeleted && !since) where.push("deleted = 0");
    if (since) {
      where.push("updated_at >= ?");
      args.push(since.replace("Z", ""));
    }
    if (admin && q.get("host")) {
      where.push("host = ?");
      args.push(q.get("host"));
    }
    if (status) {
      where.push(`vm_state IN (${(STATUS_TO_VM[status] ?? []).map(() => "?").join(",")})`);
      args.push(...(STATUS_TO_VM[status] ?? []));
    }
    if (q.get("image")) {
      where.push("image_ref = ?");
      args.push(q.get("image"));
    }
    if (q.get("availability_zone")) {
      where.push("availability_zone = ?");
      args.push(q.get("availability_zone"));
    }
    if (atLeast(req, 73) && q.get("locked") !== null) {
      where.push("locked = ?");
      args.push(truthy(q.get("locked")) ? 1 : 0);
    }
    const sql = `SELECT * FROM instances${where.length ? ` WHERE ${where.join(" AND ")}` : ""}`;
    for (const cell of api.cells.list()) {
      const db = api.cells.db(cell);
      const rows = db.prepare(sql).all(...args) as Parameters<typeof rowToInstance>[1][];
      const instances = rowsToInstances(db, rows, { systemMetadataOfLockedOnly: true });
      const tagRows = db.prepare("SELECT resource_id, tag FROM tags").all() as Array<{ resource_id: string; tag: string }>;
      const tagMap = new Map<string, string[]>();
      for (const t of tagRows) tagMap.set(t.resource_id, [...(tagMap.get(t.resource_id) ?? []), t.tag]);
      for (const instance of instances) found.push({ instance, cell, db, tags: (tagMap.get(instance.uuid) ?? []).sort() });
    }
    if (!since && (!status || status === "BUILD"))
      for (const br of listBuildRequests(api.apiDb, project))
        if (!found.some((f) => f.instance.uuid === br.instance.uuid)) found.push({ instance: br.instance, cell: null, db: null, tags: br.tags });
    let result = found.filter((f) => {
      const i = f.instance;
      if (nameRe && !nameRe.test(i.display_name ?? "")) return false;
      if (q.get("flavor") && i.flavor.flavorid !== q.get("flavor")) return false;
      if (status && statusOf(i.vm_state, i.task_state) !== status && !(STATUS_TO_VM[status] ?? []).includes(i.vm_state ?? "")) return false;
      if (tags && !tags.every((t) => f.tags.includes(t))) return false;
      if (tagsAny && !tagsAny.some((t) => f.tags.includes(t))) return false;
      if (notTags && notTags.every((t) => f.tags.includes(t))) return false;
      return true;
    });
    const sortKey = q.get("sort_key") ?? "created_at";
    const dir = (q.get("sort_dir") ?? "desc") === "asc" ? 1 : -1;
    const keyOf = (i: Instance): string => String((i as unknown as Record<string, unknown>)[sortKey === "display_name" ? "display_name" : sortKey] ?? "");
    // Binary string order, as the database sorts; ties by id (build requests, which have none, last).
    const cmp = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
    result.sort((a, b) => {
      const c = cmp(keyOf(a.instance), keyOf(b.instance)) || (a.instance.id ?? 1e12) - (b.instance.id ?? 1e12);
      return c * dir;
    });
    const marker = q.get("marker");
    if (marker) {
      const idx = result.findIndex((f) => f.instance.uuid === marker);
      if (idx < 0) throw new HttpError(400, `marker [${marker}] not found`);
      result = result.slice(idx + 1);
    }
    const page = result.slice(0, limit);
    const showSpecs = atLeast(req, 47) && api.policy.allows(ctx, "os_compute_api:os-flavor-extra-specs:index");
    const hostStatusMemo = new Map<string, string>();
    const servers = page.map((f) => (detail ? detailView(api, req, f, { admin, showExtraSpecs: showSpecs, hostStatusMemo }) : basicView(api, req, f.instance)));
    const out: Record<string, unknown> = { servers };
    if (page.length === limit && result.length > limit) {
      const params = new URLSearchParams(q);
      params.set("limit", String(limit));
      params.set("marker", page[page.length - 1]?.instance.uuid ?? "");
      out.servers_links = [{ rel: "next", href: `${api.baseUrl(req)}/v2.1/servers${detail ? "/detail" : ""}?${params}` }];
    }
    return json(200, out);
  };
  r.get("/servers", list(false));
  r.get("/servers/detail", list(true));

  const show = (req: HttpRequest, found?: FoundServer) => {
    const ctx = api.ctx(req);
    const s = found ?? api.findServer(ctx, req.params.server_id ?? "");
    api.policy.authorize(ctx, "os_compute_api:servers:show", { project_id: s.instance.project_id });
    const groups = atLeast(req, 71) ? [groupOfInstance(api.apiDb, s.instance.uuid)?.uuid].filter((g): g is string => !!g) : undefined;
    const showSpecs = atLeast(req, 47) && api.policy.allows(ctx, "os_compute_api:os-flavor-extra-specs:index");
    return detailView(api, req, s, { admin: api.isAdmin(ctx), showExtraSpecs: showSpecs, groups });
  };
  r.get("/servers/{server_id}", (req) => json(200, { server: show(req) }));

  r.put("/servers/{server_id}", async (req) => {
    const ctx = api.ctx(req);
    const body = await jsonBody(req);
    validate(serverUpdate, body);
    const u = body.server as Record<string, any>;
    if ("description" in u && !atLeast(req, 19))
      throw new HttpError(400, `Invalid input for field/attribute server. Value: ${JSON.stringify(u)}. Additional properties are not allowed ('description' was unexpected)`);
    const s = api.findServer(ctx, req.params.server_id ?? "");
    api.policy.authorize(ctx, "os_compute_api:servers:update", { project_id: s.instance.project_id });
    if (!s.db) throw new HttpError(409, `Instance ${s.instance.uuid} is not ready yet; try again once it is scheduled.`);
    const updates: Record<string, unknown> = {};
    if (u.name !== undefined) {
      updates.display_name = u.name;
    }
    if ("description" in u) updates.display_description = u.description;
    if (u.accessIPv4 !== undefined) updates.access_ip_v4 = u.accessIPv4;
    if (u.accessIPv6 !== undefined) updates.access_ip_v6 = u.accessIPv6;
    const inst = saveInstance(s.db, s.instance.uuid, updates);
    return json(200, { server: show(req, { ...s, instance: inst }) });
  });

  r.delete("/servers/{server_id}", async (req) => {
    const ctx = api.ctx(req);
    const s = api.findServer(ctx, req.params.server_id ?? "");
    api.policy.authorize(ctx, "os_compute_api:servers:delete", { project_id: s.instance.project_id });
    compute.checkLock(ctx, s);
    await withSpan("compute_api.delete", "internal", () => compute.delete(ctx, s));
    return empty(204);
  });
  return compute;
}
