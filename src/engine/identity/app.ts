import { Router } from "../common/http/router.js";
import { registerApp } from "../common/http/registry.js";
import { json } from "../common/http/types.js";
import type { GlobalConf } from "../common/http/types.js";
import { assignmentRoutes } from "./api/assignments.js";
import { authRoutes } from "./api/auth.js";
import { catalogRoutes } from "./api/catalog.js";
import type { KeystoneContext } from "./api/common.js";
import { credentialRoutes } from "./api/credentials.js";
import { resourceRoutes } from "./api/resource.js";
import { roleRoutes } from "./api/roles.js";
import { userRoutes } from "./api/users.js";
import { v3Version, versionsApp } from "./api/versions.js";

/** The identity v3 API (mounted at /v3 by the paste file's urlmap). */
export function identityV3App(ctx: KeystoneContext) {
  const r = new Router("keystone");
  const version = async (req: Parameters<typeof v3Version>[0]) => json(200, { version: v3Version(req) });
  r.get("/", version);
  r.get("", version);
  authRoutes(r, ctx);
  resourceRoutes(r, ctx);
  userRoutes(r, ctx);
  roleRoutes(r, ctx);
  assignmentRoutes(r, ctx);
  catalogRoutes(r, ctx);
  credentialRoutes(r, ctx);
  return r.app();
}

function contextFrom(global: GlobalConf): KeystoneContext {
  const ctx = global.keystone as KeystoneContext | undefined;
  if (!ctx) throw new Error("the identity app needs the keystone context in the paste global conf (key 'keystone')");
  return ctx;
}

// The factories fixtures/keystone/api-paste.ini names.
registerApp("pocketstack.identity:app", (global) => identityV3App(contextFrom(global)));
registerApp("pocketstack.identity:versions", () => versionsApp);
