import { randomUUID } from "node:crypto";
import { HttpError } from "../../common/http/errors.js";
import { type Router, jsonBody } from "../../common/http/router.js";
import { type HttpRequest, empty, json } from "../../common/http/types.js";
import {
  type Flavor,
  FlavorExists,
  addFlavorAccess,
  createFlavor,
  deleteExtraSpec,
  deleteFlavor,
  flavorByFlavorId,
  flavorProjects,
  flavorVisible,
  listFlavors,
  removeFlavorAccess,
  setExtraSpecs,
} from "../objects/flavors.js";
import { atLeast } from "./microversion.js";
import type { NovaApi } from "./nova-api.js";
import { extraSpecs, flavorCreate, flavorUpdate } from "./schemas.js";
import { validate } from "./validation.js";

/** flavors, os-flavor-manage, os-flavor-extra-specs and os-flavor-access. */
export function addFlavorRoutes(r: Router, api: NovaApi): void {
  const links = (req: HttpRequest, id: string) => [
    { rel: "self", href: `${api.baseUrl(req)}/v2.1/flavors/${id}` },
    { rel: "bookmark", href: `${api.baseUrl(req)}/flavors/${id}` },
  ];
  const view = (req: HttpRequest, f: Flavor, detail: boolean, specs: boolean) => {
    const v: Record<string, unknown> = { id: f.flavorid, name: f.name, links: links(req, f.flavorid) };
    if (atLeast(req, 55)) v.description = f.description;
    if (!detail) return v;
    Object.assign(v, {
      ram: f.memory_mb,
      disk: f.root_gb,
      swap: f.swap === 0 ? (atLeast(req, 75) ? 0 : "") : f.swap,
      "OS-FLV-EXT-DATA:ephemeral": f.ephemeral_gb,
      "OS-FLV-DISABLED:disabled": f.disabled,
      vcpus: f.vcpus,
      "os-flavor-access:is_public": f.is_public,
      rxtx_factor: f.rxtx_factor,
    });
    if (specs && atLeast(req, 61)) v.extra_specs = f.extra_specs;
    return v;
  };
  const get = (req: HttpRequest): Flavor => {
    const ctx = api.ctx(req);
    const f = flavorByFlavorId(api.apiDb, req.params.flavor_id ?? "");
    if (!f || !flavorVisible(api.apiDb, f, ctx.project_id, api.isAdmin(ctx)))
      throw new HttpError(404, `Flavor ${req.params.flavor_id} could not be found.`);
    return f;
  };
  const list = (detail: boolean) => (req: HttpRequest) => {
    const ctx = api.ctx(req);
    const admin = api.isAdmin(ctx);
    const q = req.query;
    const isPublic = q.get("is_public");
    let flavors = listFlavors(api.apiDb).filter((f) => {
      if (!admin || isPublic === null)
        return flavorVisible(api.apiDb, f, ctx.project_id, false) || (admin && isPublic === null && f.is_public);
      if (isPublic.toLowerCase() === "none") return true;
      return f.is_public === /^(true|1|yes)$/i.test(isPublic);
    });
    if (q.get("minRam")) flavors = flavors.filter((f) => f.memory_mb >= Number(q.get("minRam")));
    if (q.get("minDisk")) flavors = flavors.filter((f) => f.root_gb >= Number(q.get("minDisk")));
    const key = q.get("sort_key") ?? "flavorid";
    const dir = q.get("sort_dir") === "desc" ? -1 : 1;
    const col: Record<string, (f: Flavor) => string | number> = {
      flavorid: (f) => f.flavorid,
      name: (f) => f.name,
      memory_mb: (f) => f.memory_mb,
      vcpus: (f) => f.vcpus,
      root_gb: (f) => f.root_gb,
      id: (f) => f.id,
    };
    const get = col[key];
    if (!get) throw new HttpError(400, `Invalid sort_key ${key}`);
    flavors.sort((a, b) => (get(a) < get(b) ? -1 : get(a) > get(b) ? 1 : 0) * dir);
    const marker = q.get("marker");
    if (marker) {
      const i = flavors.findIndex((f) => f.flavorid === marker);
      if (i < 0) throw new HttpError(400, `marker [${marker}] not found`);
      flavors = flavors.slice(i + 1);
    }
    const limit = Math.min(Number(q.get("limit") ?? api.config.int("api", "max_limit")), api.config.int("api", "max_limit"));
    const page = flavors.slice(0, limit);
    const specs = api.policy.allows(ctx, "os_compute_api:os-flavor-extra-specs:index");
    const out: Record<string, unknown> = { flavors: page.map((f) => view(req, f, detail, specs)) };
    if (page.length === limit && flavors.length > limit) {
      const params = new URLSearchParams(q);
      params.set("marker", page[page.length - 1]?.flavorid ?? "");
      out.flavors_links = [{ rel: "next", href: `${api.baseUrl(req)}/v2.1/flavors${detail ? "/detail" : ""}?${params}` }];
    }
    return json(200, out);
  };
  r.get("/flavors", list(false));
  r.get("/flavors/detail", list(true));
  r.get("/flavors/{flavor_id}", (req) => {
    const ctx = api.ctx(req);
    return json(200, { flavor: view(req, get(req), true, api.policy.allows(ctx, "os_compute_api:os-flavor-extra-specs:index")) });
  });
  r.post("/flavors", async (req) => {
    const ctx = api.ctx(req);
    api.policy.authorize(ctx, "os_compute_api:os-flavor-manage:create");
    const body = await jsonBody(req);
    validate(flavorCreate, body);
    const f = body.flavor as Record<string, any>;
    if ("description" in f && !atLeast(req, 55))
      throw new HttpError(
        400,
        `Invalid input for field/attribute flavor. Value: ${JSON.stringify(f)}. Additional properties are not allowed ('description' was unexpected)`,
      );
    try {
      const flavor = createFlavor(api.apiDb, {
        flavorid: f.id ? String(f.id) : randomUUID(),
        name: f.name,
        memory_mb: Number(f.ram),
        vcpus: Number(f.vcpus),
        root_gb: Number(f.disk),
        ephemeral_gb: Number(f["OS-FLV-EXT-DATA:ephemeral"] ?? 0),
        swap: Number(f.swap || 0),
        rxtx_factor: Number(f.rxtx_factor ?? 1),
        is_public:
          f["os-flavor-access:is_public"] === undefined
            ? true
            : f["os-flavor-access:is_public"] === true || /^(true|1|yes)$/i.test(String(f["os-flavor-access:is_public"])),
        description: f.description ?? null,
      });
      return json(200, { flavor: view(req, flavor, true, true) });
    } catch (err) {
      if (err instanceof FlavorExists) throw new HttpError(409, err.message);
      throw err;
    }
  });
  r.put("/flavors/{flavor_id}", async (req) => {
    const ctx = api.ctx(req);
    if (!atLeast(req, 55)) throw new HttpError(405, "The method PUT is not supported for this URL.");
    api.policy.authorize(ctx, "os_compute_api:os-flavor-manage:update");
    const body = await jsonBody(req);
    validate(flavorUpdate, body);
    const f = get(req);
    api.apiDb
      .prepare("UPDATE flavors SET description = ? WHERE id = ?")
      .run((body.flavor as { description: string | null }).description, f.id);
    return json(200, { flavor: view(req, get(req), true, true) });
  });
  r.delete("/flavors/{flavor_id}", (req) => {
    const ctx = api.ctx(req);
    api.policy.authorize(ctx, "os_compute_api:os-flavor-manage:delete");
    deleteFlavor(api.apiDb, get(req));
    return empty(202);
  });

  r.get("/flavors/{flavor_id}/os-extra_specs", (req) => {
    api.policy.authorize(api.ctx(req), "os_compute_api:os-flavor-extra-specs:index");
    return json(200, { extra_specs: get(req).extra_specs });
  });
  r.post("/flavors/{flavor_id}/os-extra_specs", async (req) => {
    api.policy.authorize(api.ctx(req), "os_compute_api:os-flavor-extra-specs:create");
    const body = await jsonBody(req);
    validate(extraSpecs, body);
    const f = get(req);
    const specs = Object.fromEntries(Object.entries(body.extra_specs as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
    setExtraSpecs(api.apiDb, f, specs);
    return json(200, { extra_specs: specs });
  });
  r.get("/flavors/{flavor_id}/os-extra_specs/{key}", (req) => {
    api.policy.authorize(api.ctx(req), "os_compute_api:os-flavor-extra-specs:show");
    const v = get(req).extra_specs[req.params.key ?? ""];
    if (v === undefined) throw new HttpError(404, `Flavor ${req.params.flavor_id} has no extra specs with key ${req.params.key}.`);
    return json(200, { [req.params.key ?? ""]: v });
  });
  r.put("/flavors/{flavor_id}/os-extra_specs/{key}", async (req) => {
    api.policy.authorize(api.ctx(req), "os_compute_api:os-flavor-extra-specs:update");
    const body = await jsonBody(req);
    const key = req.params.key ?? "";
    if (Object.keys(body).length !== 1 || !(key in body)) throw new HttpError(400, "Request body and URI mismatch");
    setExtraSpecs(api.apiDb, get(req), { [key]: String(body[key]) });
    return json(200, { [key]: String(body[key]) });
  });
  r.delete("/flavors/{flavor_id}/os-extra_specs/{key}", (req) => {
    api.policy.authorize(api.ctx(req), "os_compute_api:os-flavor-extra-specs:delete");
    if (!deleteExtraSpec(api.apiDb, get(req), req.params.key ?? ""))
      throw new HttpError(404, `Flavor ${req.params.flavor_id} has no extra specs with key ${req.params.key}.`);
    return empty(200);
  });

  const accessList = (f: Flavor) => ({
    flavor_access: flavorProjects(api.apiDb, f.id).map((p) => ({ flavor_id: f.flavorid, tenant_id: p })),
  });
  r.get("/flavors/{flavor_id}/os-flavor-access", (req) => {
    api.policy.authorize(api.ctx(req), "os_compute_api:os-flavor-access");
    const f = get(req);
    if (f.is_public) throw new HttpError(404, "Access list not available for public flavors.");
    return json(200, accessList(f));
  });
  r.post("/flavors/{flavor_id}/action", async (req) => {
    const ctx = api.ctx(req);
    const body = await jsonBody(req);
    const f = get(req);
    if (body.addTenantAccess) {
      api.policy.authorize(ctx, "os_compute_api:os-flavor-access:add_tenant_access");
      const tenant = (body.addTenantAccess as { tenant?: string }).tenant;
      if (!tenant) throw new HttpError(400, "Invalid input for field/attribute addTenantAccess. 'tenant' is a required property");
      if (f.is_public) throw new HttpError(409, "Can not add access to a public flavor.");
      if (!addFlavorAccess(api.apiDb, f, tenant))
        throw new HttpError(409, `Flavor access already exists for flavor ${f.flavorid} and project ${tenant} combination.`);
      return json(200, accessList(f));
    }
    if (body.removeTenantAccess) {
      api.policy.authorize(ctx, "os_compute_api:os-flavor-access:remove_tenant_access");
      const tenant = (body.removeTenantAccess as { tenant?: string }).tenant ?? "";
      if (!removeFlavorAccess(api.apiDb, f, tenant))
        throw new HttpError(404, `Flavor access not found for ${f.flavorid} / ${tenant} combination.`);
      return json(200, accessList(f));
    }
    throw new HttpError(400, `There is no such action: ${Object.keys(body).join(", ")}`);
  });
}
