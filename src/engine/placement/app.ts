import type { Db } from "../common/db/database.js";
import { HttpError, errorResponse } from "../common/http/errors.js";
import { registerApp, registerFilter } from "../common/http/registry.js";
import { Router } from "../common/http/router.js";
import type { App, GlobalConf, HttpRequest, HttpResponse } from "../common/http/types.js";
import { Enforcer } from "../common/policy/index.js";
import { ErrorCode } from "./errors.js";
import * as aggregates from "./handlers/aggregates.js";
import { allocationCandidatesHandler } from "./handlers/allocation-candidates.js";
import * as allocations from "./handlers/allocations.js";
import { Call, type PlacementDeps } from "./handlers/call.js";
import * as inventories from "./handlers/inventories.js";
import * as providers from "./handlers/resource-providers.js";
import * as classes from "./handlers/resource-classes.js";
import { reshaperHandler } from "./handlers/reshaper.js";
import { versionsHandler } from "./handlers/root.js";
import * as traits from "./handlers/traits.js";
import * as usages from "./handlers/usages.js";
import { MAX_VERSION, MIN_VERSION, type Microversion, negotiate, versionHeaders } from "./microversion.js";
import { PLACEMENT_POLICY_DEFAULTS } from "./policies.js";

type PHandler = (c: Call) => HttpResponse | Promise<HttpResponse>;

/** The placement URL map (placement's ROUTE_DECLARATIONS). */
function routes(deps: PlacementDeps): Router {
  const r = new Router("placement");
  const h = (fn: PHandler) => (req: HttpRequest) => fn(new Call(req, deps));
  const RP = "/resource_providers/{uuid}";
  r.get("/", h(versionsHandler));
  r.get("/resource_providers", h(providers.listProviders)).post("/resource_providers", h(providers.createProviderHandler));
  r.get(RP, h(providers.showProvider)).put(RP, h(providers.updateProviderHandler)).delete(RP, h(providers.deleteProviderHandler));
  r.get(`${RP}/inventories`, h(inventories.listInventoriesHandler))
    .post(`${RP}/inventories`, h(inventories.createInventoryHandler))
    .put(`${RP}/inventories`, h(inventories.replaceInventoriesHandler))
    .delete(`${RP}/inventories`, h(inventories.deleteAllInventoriesHandler));
  r.get(`${RP}/inventories/{resource_class}`, h(inventories.showInventoryHandler))
    .put(`${RP}/inventories/{resource_class}`, h(inventories.updateInventoryHandler))
    .delete(`${RP}/inventories/{resource_class}`, h(inventories.deleteInventoryHandler));
  r.get(`${RP}/usages`, h(usages.providerUsagesHandler));
  r.get("/usages", h(usages.totalUsagesHandler));
  r.get(`${RP}/aggregates`, h(aggregates.providerAggregatesHandler)).put(`${RP}/aggregates`, h(aggregates.putProviderAggregatesHandler));
  r.get(`${RP}/traits`, h(traits.providerTraitsHandler))
    .put(`${RP}/traits`, h(traits.putProviderTraitsHandler))
    .delete(`${RP}/traits`, h(traits.deleteProviderTraitsHandler));
  r.get(`${RP}/allocations`, h(allocations.providerAllocationsHandler));
  r.post("/allocations", h(allocations.postAllocations));
  r.get("/allocations/{consumer_uuid}", h(allocations.consumerAllocationsHandler))
    .put("/allocations/{consumer_uuid}", h(allocations.putConsumerAllocations))
    .delete("/allocations/{consumer_uuid}", h(allocations.deleteConsumerAllocations));
  r.get("/allocation_candidates", h(allocationCandidatesHandler));
  r.get("/resource_classes", h(classes.listResourceClassesHandler)).post("/resource_classes", h(classes.createResourceClassHandler));
  r.get("/resource_classes/{name}", h(classes.showResourceClassHandler))
    .put("/resource_classes/{name}", h(classes.putResourceClassHandler))
    .delete("/resource_classes/{name}", h(classes.deleteResourceClassHandler));
  r.get("/traits", h(traits.listTraitsHandler));
  r.get("/traits/{name}", h(traits.showTraitHandler))
    .put("/traits/{name}", h(traits.putTraitHandler))
    .delete("/traits/{name}", h(traits.deleteTraitHandler));
  r.post("/reshaper", h(reshaperHandler));
  return r;
}

/**
 * Placement error bodies depend on the microversion: `code` exists from 1.23 (placement.undefined_code
 * when nothing more specific applies); before that the error has no code at all.
 */
function fixErrorBody(res: HttpResponse, v: Microversion | undefined): void {
  if (res.status < 400 || typeof res.body !== "string" || !res.body.startsWith('{"errors"')) return;
  const body = JSON.parse(res.body) as { errors: Array<Record<string, unknown>> };
  for (const e of body.errors) {
    if (v?.at(23)) {
      if (!e.code || e.code === "placement.undefined") e.code = ErrorCode.DEFAULT;
    } else delete e.code;
    // A version the server cannot serve: say which it can, so clients (osc-placement) can fall back.
    if (res.status === 406 && v === undefined) {
      e.max_version = MAX_VERSION;
      e.min_version = MIN_VERSION;
    }
  }
  res.body = JSON.stringify(body);
}

/**
 * allocation_ratio is a float in placement, and Python's JSON writes 16.0 where JSON.stringify writes 16;
 * clients that keep the type (the openstack client prints "16.0") see the difference. Only inventory
 * answers carry it (not the 400 KB of a thousand allocation candidates, which are not scanned for it).
 */
function floatRatios(req: HttpRequest, res: HttpResponse): void {
  if (!req.path.includes("/inventories")) return;
  if (typeof res.body !== "string" || !res.body.includes('"allocation_ratio"')) return;
  res.body = res.body.replace(/("allocation_ratio":\s*)(-?\d+)(?=[,}\s])/g, "$1$2.0");
}

/** Only JSON is served: an Accept that excludes it is a 406, as placement's check_accept answers. */
function acceptsJson(req: HttpRequest): boolean {
  const accept = String(req.headers.accept ?? "");
  if (!accept) return true;
  return accept.split(",").some((part) => /^(application\/json|application\/\*|\*\/\*)(;|$)/.test(part.trim().toLowerCase()));
}

/** The placement WSGI app: microversion negotiation around the router, version headers on every answer. */
export function placementApp(deps: PlacementDeps): App {
  const routed = routes(deps).app();
  return async (req) => {
    let v: Microversion | undefined;
    let res: HttpResponse;
    try {
      v = negotiate(req);
      req.environ["placement.microversion"] = v;
      if (!acceptsJson(req) && req.method === "GET") throw new HttpError(406, "Only application/json is provided");
      res = await routed(req);
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      res = errorResponse(err, "placement", req.environ.request_id as string | undefined);
    }
    Object.assign(res.headers, versionHeaders(v));
    fixErrorBody(res, v);
    floatRatios(req, res);
    return res;
  };
}

/** Policy: placement defaults, overridden by the state dir's policy file when there is one. */
export function placementEnforcer(policyFile?: string, rules?: Record<string, string>): Enforcer {
  return new Enforcer(PLACEMENT_POLICY_DEFAULTS, { policyFile, rules });
}

function depsFrom(global: GlobalConf): PlacementDeps {
  const db = global.placement_db as Db | undefined;
  if (!db) throw new Error("pocketstack.placement:app needs the placement database in the global conf (placement_db)");
  const enforcer = (global.placement_enforcer as Enforcer | undefined) ?? placementEnforcer(global.policy_file as string | undefined);
  return { db, enforcer };
}

registerApp("pocketstack.placement:app", (global) => placementApp(depsFrom(global)));

/**
 * versions filter: answers GET / (version discovery) before authentication, the way placement's auth
 * middleware lets the root through, so clients can discover microversions without a token.
 */
registerFilter("pocketstack.placement:versions", (global) => {
  let app: App | undefined;
  return (next) => async (req) => {
    if (req.path !== "/" || (req.method !== "GET" && req.method !== "HEAD")) return next(req);
    app ??= placementApp(depsFrom(global));
    return app(req);
  };
});
