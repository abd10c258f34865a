import { type App, type HttpRequest, json } from "../../common/http/types.js";
import { MAX_VERSION, MIN_VERSION } from "./microversion.js";

const UPDATED = "2013-07-23T11:33:21Z";

function base(req: HttpRequest): string {
  const host = req.headers["x-forwarded-host"] ?? req.headers.host ?? "localhost";
  const proto = req.headers["x-forwarded-proto"] ?? "http";
  return `${proto}://${host}`;
}

export function v21Doc(root: string) {
  return {
    id: "v2.1",
    status: "CURRENT",
    version: MAX_VERSION,
    min_version: MIN_VERSION,
    updated: UPDATED,
    links: [{ rel: "self", href: `${root}/v2.1/` }],
  };
}

function v20Doc(root: string) {
  return {
    id: "v2.0",
    status: "SUPPORTED",
    version: "",
    min_version: "",
    updated: "2011-01-21T11:33:21Z",
    links: [{ rel: "self", href: `${root}/v2/` }],
  };
}

/** GET / : the compute API's versions (no token needed), as nova's oscomputeversions app. */
export function versionsApp(): App {
  return async (req) => {
    const root = base(req);
    if (req.path !== "/" && req.path !== "") return json(404, { itemNotFound: { code: 404, message: "The resource could not be found." } });
    return json(200, { versions: [v20Doc(root), v21Doc(root)] });
  };
}

/** GET /v2.1/ : the one version document (what clients read for min/max microversion). */
export function versionDocument(req: HttpRequest) {
  const root = base(req);
  const doc = v21Doc(root);
  return {
    version: {
      ...doc,
      links: [...doc.links, { rel: "describedby", type: "text/html", href: "http://docs.openstack.org/" }],
      "media-types": [{ base: "application/json", type: "application/vnd.openstack.compute+json;version=2.1" }],
    },
  };
}
