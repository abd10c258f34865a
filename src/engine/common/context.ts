import type { TraceContext } from "./trace/span.js";

/**
 * The request context (oslo.context's RequestContext): who is asking, in which scope, under which
 * request id. The authtoken/keystonecontext filters build it from a validated token; RPC carries it
 * on every message; the policy engine reads it as the credentials.
 */
export interface RequestContext {
  user_id?: string;
  user_name?: string;
  user_domain_id?: string;
  project_id?: string;
  project_name?: string;
  project_domain_id?: string;
  domain_id?: string;
  /** "all" for a system-scoped token. */
  system_scope?: string;
  roles: string[];
  is_admin?: boolean;
  is_admin_project?: boolean;
  request_id?: string;
  global_request_id?: string;
  auth_token?: string;
  /** Trace parent carried across processes. */
  trace?: TraceContext;
}

export const anonymousContext = (requestId?: string): RequestContext => ({ roles: [], request_id: requestId });
