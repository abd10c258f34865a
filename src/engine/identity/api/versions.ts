import type { HttpRequest } from "../../common/http/types.js";
import { json } from "../../common/http/types.js";
import { hostUrl } from "./common.js";

// Keystone's identity v3 version (3.14 since Ussuri) and its media type.
export function v3Version(req: HttpRequest): Record<string, unknown> {
  return {
    id: "v3.14",
    status: "stable",
    updated: "2020-04-07T00:00:00Z",
    links: [{ rel: "self", href: `${hostUrl(req)}/v3/` }],
    "media-types": [{ base: "application/json", type: "application/vnd.openstack.identity-v3+json" }],
  };
}

/** GET / — the version list, 300 Multiple Choices as Keystone answers. */
export const versionsApp = async (req: HttpRequest) => {
  if (req.path !== "/" && req.path !== "")
    return json(404, { error: { code: 404, message: "The resource could not be found.", title: "Not Found" } });
  if (req.method !== "GET" && req.method !== "HEAD")
    return json(
      405,
      { error: { code: 405, message: `The method ${req.method} is not supported for this URL.`, title: "Method Not Allowed" } },
      { allow: "GET, HEAD" },
    );
  const res = json(300, { versions: { values: [v3Version(req)] } });
  if (req.method === "HEAD") res.body = undefined;
  return res;
};
