import { type Config, loadConfig } from "../../common/config/config.js";
import { registerApp } from "../../common/http/registry.js";
import { Router } from "../../common/http/router.js";
import { type App, type GlobalConf, json } from "../../common/http/types.js";
import { layout, stateDir as defaultStateDir } from "../../common/paths.js";
import { CellMappings } from "../cells/mappings.js";
import { CellBuses } from "../cells/rpc.js";
import { dbSettings, openApiDb } from "../db/open.js";
import { ServiceClients } from "../objects/service-clients.js";
import { addAdminRoutes } from "./admin.js";
import { addFlavorRoutes } from "./flavors.js";
import { addKeypairRoutes } from "./keypairs.js";
import { microversionFilter } from "./microversion.js";
import { NovaApi } from "./nova-api.js";
import { ComputePolicy } from "./policies.js";
import { addProjectRoutes } from "./project.js";
import { addServerActionRoutes } from "./server-actions.js";
import { addServerResourceRoutes } from "./server-resources.js";
import { addServerRoutes } from "./servers.js";
import { addSshEndpointRoute } from "./ssh-endpoint.js";
import { versionDocument, versionsApp } from "./versions.js";

/** APIRouterV21: every compute route, behind microversion negotiation, errors in Nova's format. */
export function computeApp(api: NovaApi): App {
  const r = new Router("nova");
  r.get("/", (req) => json(200, versionDocument(req)));
  const compute = addServerRoutes(r, api);
  addServerActionRoutes(r, api, compute);
  addServerResourceRoutes(r, api, compute);
  addSshEndpointRoute(r, api, compute);
  addFlavorRoutes(r, api);
  addKeypairRoutes(r, api);
  addAdminRoutes(r, api);
  addProjectRoutes(r, api);
  const routes = r.app();
  // Project-id in the URL (/v2.1/{project_id}/servers), as older catalogs register it: strip it.
  const withMicroversion = microversionFilter(routes);
  return async (req) => {
    const m = /^\/[0-9a-f]{32}(\/.*)?$/.exec(req.path);
    if (m) req.path = m[1] ?? "/";
    return withMicroversion(req);
  };
}

/** The NovaApi of a nova-api process: nova_api (migrated), the cells, their buses, Glance/Placement clients, policy. */
export function createNovaApi(config: Config, dir: string): NovaApi {
  const settings = dbSettings(config);
  const cells = new CellMappings(openApiDb(dir, settings), dir, settings);
  const l = layout(dir);
  return new NovaApi(
    config,
    dir,
    cells,
    new CellBuses(config.int("DEFAULT", "rpc_response_timeout") * 1000),
    new ServiceClients(config, dir),
    new ComputePolicy(l.policyFile("nova")),
  );
}

const isConfig = (c: unknown): c is Config => typeof (c as Config | undefined)?.str === "function";

function apiFrom(global: GlobalConf): NovaApi {
  if (global.nova_api instanceof NovaApi) return global.nova_api;
  const dir = typeof global.state_dir === "string" ? global.state_dir : defaultStateDir();
  const config = isConfig(global.config) ? global.config : loadConfig(layout(dir).config);
  const api = createNovaApi(config, dir);
  global.nova_api = api;
  return api;
}

registerApp("pocketstack.compute:app", (global) => computeApp(apiFrom(global)));
registerApp("pocketstack.compute:versions", () => versionsApp());
