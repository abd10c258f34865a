import type { Router } from "../../common/http/router.js";
import { empty, json } from "../../common/http/types.js";
import { INTERFACES } from "../backends/catalog.js";
import { invalidField, notFound } from "../errors.js";
import {
  type KeystoneContext,
  bodyObject,
  enforce,
  listAnswer,
  optionalBool,
  optionalString,
  readOnly,
  requireString,
  strQuery,
} from "./common.js";
import { endpointView, regionView, serviceView } from "./views.js";

function checkInterface(v: unknown): void {
  if (typeof v !== "string" || !INTERFACES.includes(v))
    throw invalidField("interface", `${JSON.stringify(v)} is not one of ${JSON.stringify(INTERFACES)}`);
}
function checkUrl(v: unknown): void {
  if (typeof v !== "string" || !/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/\S+$/.test(v))
    throw invalidField("url", `${JSON.stringify(v)} is not a 'url'`);
}

/** /v3/services, /v3/endpoints, /v3/regions. */
export function catalogRoutes(r: Router, ctx: KeystoneContext): void {
  const { catalog } = ctx.store;

  // ---- services
  r.post("/services", async (req) => {
    const body = await bodyObject(req, "service");
    const type = requireString(body, "type", { max: 255 });
    optionalString(body, "name");
    optionalBool(body, "enabled");
    await enforce(ctx, req, "identity:create_service");
    return json(201, { service: serviceView(req, catalog.createService({ ...body, type })) });
  });
  r.get("/services", async (req) => {
    await enforce(ctx, req, "identity:list_services");
    const list = catalog.listServices({ type: strQuery(req, "type"), name: strQuery(req, "name") });
    return listAnswer(req, "services", list, serviceView);
  });
  r.get("/services/{service_id}", async (req) => {
    await enforce(ctx, req, "identity:get_service");
    return json(200, { service: serviceView(req, catalog.getService(req.params.service_id as string)) });
  });
  r.patch("/services/{service_id}", async (req) => {
    const body = await bodyObject(req, "service");
    readOnly(body, ["id"]);
    if (body.type !== undefined) requireString(body, "type");
    optionalBool(body, "enabled");
    await enforce(ctx, req, "identity:update_service");
    return json(200, { service: serviceView(req, catalog.updateService(req.params.service_id as string, body)) });
  });
  r.delete("/services/{service_id}", async (req) => {
    await enforce(ctx, req, "identity:delete_service");
    catalog.deleteService(req.params.service_id as string);
    return empty(204);
  });

  // ---- endpoints
  r.post("/endpoints", async (req) => {
    const body = await bodyObject(req, "endpoint");
    const serviceId = requireString(body, "service_id");
    checkInterface(body.interface);
    checkUrl(body.url);
    optionalBool(body, "enabled");
    // `region` is the pre-3.2 spelling of region_id; Keystone still accepts it.
    const regionId = optionalString(body, "region_id") ?? optionalString(body, "region") ?? null;
    await enforce(ctx, req, "identity:create_endpoint");
    if (!catalog.findService(serviceId)) throw notFound("service", serviceId);
    const e = catalog.createEndpoint({
      ...body,
      service_id: serviceId,
      interface: body.interface as string,
      url: body.url as string,
      region_id: regionId,
    });
    return json(201, { endpoint: endpointView(req, e) });
  });
  r.get("/endpoints", async (req) => {
    await enforce(ctx, req, "identity:list_endpoints");
    const iface = strQuery(req, "interface");
    if (iface !== undefined) checkInterface(iface);
    const list = catalog.listEndpoints({
      service_id: strQuery(req, "service_id"),
      interface: iface,
      region_id: strQuery(req, "region_id"),
    });
    return listAnswer(req, "endpoints", list, endpointView);
  });
  r.get("/endpoints/{endpoint_id}", async (req) => {
    await enforce(ctx, req, "identity:get_endpoint");
    return json(200, { endpoint: endpointView(req, catalog.getEndpoint(req.params.endpoint_id as string)) });
  });
  r.patch("/endpoints/{endpoint_id}", async (req) => {
    const body = await bodyObject(req, "endpoint");
    readOnly(body, ["id"]);
    if (body.interface !== undefined) checkInterface(body.interface);
    if (body.url !== undefined) checkUrl(body.url);
    optionalBool(body, "enabled");
    if (body.region !== undefined && body.region_id === undefined) body.region_id = body.region;
    delete body.region;
    await enforce(ctx, req, "identity:update_endpoint");
    return json(200, { endpoint: endpointView(req, catalog.updateEndpoint(req.params.endpoint_id as string, body)) });
  });
  r.delete("/endpoints/{endpoint_id}", async (req) => {
    await enforce(ctx, req, "identity:delete_endpoint");
    catalog.deleteEndpoint(req.params.endpoint_id as string);
    return empty(204);
  });

  // ---- regions
  r.post("/regions", async (req) => {
    const body = await bodyObject(req, "region");
    optionalString(body, "id");
    optionalString(body, "description");
    optionalString(body, "parent_region_id");
    await enforce(ctx, req, "identity:create_region");
    return json(201, { region: regionView(req, catalog.createRegion(body as { id?: string })) });
  });
  // Keystone also lets the client pick the id with PUT.
  r.put("/regions/{region_id}", async (req) => {
    const body = await bodyObject(req, "region");
    await enforce(ctx, req, "identity:create_region");
    return json(201, { region: regionView(req, catalog.createRegion({ ...body, id: req.params.region_id as string })) });
  });
  r.get("/regions", async (req) => {
    await enforce(ctx, req, "identity:list_regions");
    const list = catalog.listRegions({ parent_region_id: strQuery(req, "parent_region_id") });
    return listAnswer(req, "regions", list, regionView);
  });
  r.get("/regions/{region_id}", async (req) => {
    await enforce(ctx, req, "identity:get_region");
    return json(200, { region: regionView(req, catalog.getRegion(req.params.region_id as string)) });
  });
  r.patch("/regions/{region_id}", async (req) => {
    const body = await bodyObject(req, "region");
    readOnly(body, ["id"]);
    await enforce(ctx, req, "identity:update_region");
    return json(200, { region: regionView(req, catalog.updateRegion(req.params.region_id as string, body)) });
  });
  r.delete("/regions/{region_id}", async (req) => {
    await enforce(ctx, req, "identity:delete_region");
    catalog.deleteRegion(req.params.region_id as string);
    return empty(204);
  });
}
