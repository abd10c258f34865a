import { randomBytes } from "node:crypto";
import { HttpError } from "../../common/http/errors.js";
import { type Router, jsonBody } from "../../common/http/router.js";
import { type HttpRequest, type HttpResponse, empty, json } from "../../common/http/types.js";
import { withSpan } from "../../common/trace/tracer.js";
import { type Instance, saveInstance } from "../objects/instance.js";
import { groupOfInstance } from "../objects/server-groups.js";
import { ComputeAPI, type CreateRequest } from "./compute-api.js";
import { atLeast } from "./microversion.js";
import type { FoundServer, NovaApi } from "./nova-api.js";
import { serverCreate, serverUpdate } from "./schemas.js";
import { validate } from "./validation.js";
import { renderDetailPage } from "./server-detail-page.js";
import { listServerPage, tagsOfPage } from "./server-list.js";
import { basicView, detailView, serverLinks } from "./views.js";

const truthy = (v: unknown) => v === true || (typeof v === "string" && /^(true|1|yes|on)$/i.test(v));

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
        if (field in s && !atLeast(req, minor))
          throw new HttpError(
            400,
            `Invalid input for field/attribute server. Value: ${JSON.stringify(s)}. Additional properties are not allowed ('${field}' was unexpected)`,
          );
      if (atLeast(req, 37) && s.networks === undefined)
        throw new HttpError(
          400,
          `Invalid input for field/attribute server. Value: ${JSON.stringify(s)}. 'networks' is a required property`,
        );
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

  const list =
    (detail: boolean) =>
    async (req: HttpRequest): Promise<HttpResponse> => {
      const ctx = api.ctx(req);
      const admin = api.isAdmin(ctx);
      api.policy.authorize(ctx, detail ? "os_compute_api:servers:detail" : "os_compute_api:servers:index", { project_id: ctx.project_id });
      const q = req.query;
      const allTenants = q.has("all_tenants") && (q.get("all_tenants") === "" || truthy(q.get("all_tenants")));
      if (allTenants)
        api.policy.authorize(
          ctx,
          detail ? "os_compute_api:servers:detail:get_all_tenants" : "os_compute_api:servers:index:get_all_tenants",
        );
      const { servers: page, more, limit } = listServerPage(api, req, ctx, admin, allTenants);
      let servers: Buffer[];
      if (detail) {
        const showExtraSpecs = atLeast(req, 47) && api.policy.allows(ctx, "os_compute_api:os-flavor-extra-specs:index");
        servers = renderDetailPage(api, req, page, tagsOfPage(page), { admin, showExtraSpecs, hostStatus: admin && atLeast(req, 16) });
      } else servers = [Buffer.from(page.map((s) => JSON.stringify(basicView(api, req, s))).join(","))];
      let links = "";
      if (more) {
        const params = new URLSearchParams(q);
        params.set("limit", String(limit));
        params.set("marker", page[page.length - 1]?.uuid ?? "");
        links = `,"servers_links":${JSON.stringify([{ rel: "next", href: `${api.baseUrl(req)}/v2.1/servers${detail ? "/detail" : ""}?${params}` }])}`;
      }
      // The body is assembled from the servers' encoded JSON (kept ones are not serialized nor encoded again).
      const body = Buffer.concat([Buffer.from('{"servers":['), ...servers, Buffer.from(`]${links}}`)]);
      return { status: 200, headers: { "content-type": "application/json" }, body };
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
      throw new HttpError(
        400,
        `Invalid input for field/attribute server. Value: ${JSON.stringify(u)}. Additional properties are not allowed ('description' was unexpected)`,
      );
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
