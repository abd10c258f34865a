import { type Config, loadConfig } from "../common/config/config.js";
import { migrate, openDatabase } from "../common/db/database.js";
import { registerApp } from "../common/http/registry.js";
import { Router } from "../common/http/router.js";
import { type App, type GlobalConf, json } from "../common/http/types.js";
import { layout, stateDir as defaultStateDir } from "../common/paths.js";
import { addImageDataRoutes } from "./api/image-data.js";
import { addImageRoutes } from "./api/images.js";
import { addMemberRoutes } from "./api/members.js";
import { addTagAndActionRoutes } from "./api/tags-actions.js";
import { versionsApp } from "./api/versions.js";
import { GLANCE_MIGRATIONS } from "./db/migrations.js";
import { tooLarge } from "./errors.js";
import { FileStore } from "./file-store.js";
import { ImagePolicy } from "./policies.js";
import { IMAGES_SCHEMA, IMAGE_SCHEMA, MEMBERS_SCHEMA, MEMBER_SCHEMA } from "./schemas.js";
import { ImageService } from "./service.js";

/** The image v2 API (mounted at /v2): every route, rendered in Glance's error format. */
export function imageApp(svc: ImageService): App {
  const r = new Router("glance");
  addImageRoutes(r, svc);
  addImageDataRoutes(r, svc);
  addMemberRoutes(r, svc);
  addTagAndActionRoutes(r, svc);
  const schemas: Record<string, unknown> = { image: IMAGE_SCHEMA, images: IMAGES_SCHEMA, member: MEMBER_SCHEMA, members: MEMBERS_SCHEMA };
  for (const [name, doc] of Object.entries(schemas)) r.get(`/schemas/${name}`, () => json(200, doc));
  const routes = r.app();
  // The paste file's sizelimit lets image data through (it streams from req.raw); JSON bodies, read
  // whole with req.body(), keep the usual [api] max_request_body_size.
  return async (req) => {
    const readAll = req.body;
    let capped: Promise<Buffer> | undefined;
    req.body = () => {
      capped ??= readAll().then((b) => {
        if (b.length > svc.limits.maxJsonBody) throw tooLarge(`Request is too large. The limit is ${svc.limits.maxJsonBody} bytes.`);
        return b;
      });
      return capped;
    };
    return routes(req);
  };
}

/** The service a glance process runs: glance.sqlite (migrated), the file store, policy and [glance] limits. */
export function createImageService(config: Config, dir: string): ImageService {
  const l = layout(dir);
  const db = openDatabase(l.db("glance"), {
    journalMode: config.str("database", "journal_mode"),
    synchronous: config.str("database", "synchronous"),
    busyTimeout: config.int("database", "busy_timeout"),
  });
  migrate(db, GLANCE_MIGRATIONS);
  const store = new FileStore(config.str("glance", "filesystem_store_datadir") || l.images);
  return new ImageService(db, store, new ImagePolicy(l.policyFile("glance")), {
    imageSizeCap: config.int("glance", "image_size_cap"),
    limitParamDefault: config.int("glance", "limit_param_default"),
    apiLimitMax: config.int("glance", "api_limit_max"),
    memberQuota: config.int("glance", "image_member_quota"),
    tagQuota: config.int("glance", "image_tag_quota"),
    propertyQuota: config.int("glance", "image_property_quota"),
    maxJsonBody: config.int("api", "max_request_body_size"),
  });
}

const isConfig = (c: unknown): c is Config => typeof (c as Config | undefined)?.str === "function";

/** The service from the paste loader's global conf: a ready one (`image_service`), else built from config + state dir. */
function serviceFrom(global: GlobalConf): ImageService {
  if (global.image_service instanceof ImageService) return global.image_service;
  const dir = typeof global.state_dir === "string" ? global.state_dir : defaultStateDir();
  const config = isConfig(global.config) ? global.config : loadConfig(layout(dir).config);
  const svc = createImageService(config, dir);
  global.image_service = svc;
  return svc;
}

registerApp("pocketstack.image:app", (global) => imageApp(serviceFrom(global)));
registerApp("pocketstack.image:versions", (_global, local) => versionsApp(local.public_endpoint));
