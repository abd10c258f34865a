import type { RequestContext } from "../context.js";
import { errorResponse, unauthorized } from "../http/errors.js";
import type { Filter, GlobalConf } from "../http/types.js";
import type { TraceContext } from "../trace/span.js";
import { stripIdentityHeaders } from "./headers.js";

/**
 * noauth2 (nova.api.openstack.auth.NoAuthMiddleware), for tests without Keystone: the token
 * `user:project` is trusted as is (`user` alone means project = user); user "admin" gets the admin
 * role. Sets the same identity headers and context as authtoken + keystonecontext would.
 */
export function noauth2Filter(global: GlobalConf): Filter {
  return (app) => async (req) => {
    const raw = req.headers["x-auth-token"];
    const token = Array.isArray(raw) ? raw[0] : raw;
    stripIdentityHeaders(req.headers);
    if (!token) return errorResponse(unauthorized(), global.error_format, req.environ.request_id as string | undefined);
    const sep = token.indexOf(":");
    const user = sep < 0 ? token : token.slice(0, sep);
    const project = (sep < 0 ? "" : token.slice(sep + 1)) || user;
    const roles = user === "admin" ? ["admin", "member", "reader"] : ["member", "reader"];
    Object.assign(req.headers, {
      "x-identity-status": "Confirmed",
      "x-user-id": user,
      "x-user-name": user,
      "x-project-id": project,
      "x-project-name": project,
      "x-roles": roles.join(","),
    });
    const ctx: RequestContext = {
      user_id: user,
      user_name: user,
      project_id: project,
      project_name: project,
      roles,
      is_admin: user === "admin",
      request_id: req.environ.request_id as string | undefined,
      global_request_id: req.environ.global_request_id as string | undefined,
      auth_token: token,
      trace: req.environ.trace as TraceContext | undefined,
    };
    req.environ.context = ctx;
    req.environ.user_id = user;
    req.environ.project_id = project;
    return app(req);
  };
}
