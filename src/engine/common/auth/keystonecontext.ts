import type { RequestContext } from "../context.js";
import { errorResponse, unauthorized } from "../http/errors.js";
import type { Filter, GlobalConf, HttpRequest } from "../http/types.js";
import type { TraceContext } from "../trace/span.js";

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

/** The RequestContext for the identity headers authtoken (or noauth2) put on the request. */
export function contextFromHeaders(req: HttpRequest): RequestContext {
  const h = (name: string) => one(req.headers[name]) || undefined;
  const roles = (h("x-roles") ?? "")
    .split(",")
    .map((r) => r.trim())
    .filter(Boolean);
  return {
    user_id: h("x-user-id"),
    user_name: h("x-user-name"),
    user_domain_id: h("x-user-domain-id"),
    project_id: h("x-project-id") ?? h("x-tenant-id"),
    project_name: h("x-project-name") ?? h("x-tenant-name"),
    project_domain_id: h("x-project-domain-id"),
    domain_id: h("x-domain-id"),
    system_scope: h("x-system-scope"),
    roles,
    // Like nova's context_is_admin default: the admin role makes an admin context.
    is_admin: roles.some((r) => r.toLowerCase() === "admin"),
    is_admin_project: h("x-is-admin-project") ? h("x-is-admin-project")?.toLowerCase() === "true" : undefined,
    request_id: req.environ.request_id as string | undefined,
    global_request_id: req.environ.global_request_id as string | undefined,
    auth_token: h("x-auth-token"),
    trace: req.environ.trace as TraceContext | undefined,
  };
}

/**
 * keystonecontext (nova.api.auth.NovaKeystoneContext): turns the headers into `req.environ.context`.
 * A request without a user (authtoken with delay_auth_decision let it through) is a 401.
 */
export function keystonecontextFilter(global: GlobalConf): Filter {
  return (app) => async (req) => {
    const ctx = contextFromHeaders(req);
    if (!ctx.user_id || one(req.headers["x-identity-status"]) === "Invalid")
      return errorResponse(unauthorized(), global.error_format, ctx.request_id);
    req.environ.context = ctx;
    return app(req);
  };
}
