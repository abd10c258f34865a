import { randomUUID } from "node:crypto";
import { log } from "../log.js";
import { parseTraceparent } from "../trace/span.js";
import { withSpan } from "../trace/tracer.js";
import { HttpError, errorResponse } from "./errors.js";
import { registerFilter } from "./registry.js";
import type { Filter, GlobalConf, HttpRequest } from "./types.js";

const REQUEST_ID = /^req-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const requestId = (req: HttpRequest): string | undefined => req.environ.request_id as string | undefined;

/**
 * request_id (oslo.middleware RequestId): a fresh `req-<uuid>` per request, returned in
 * x-openstack-request-id (and any compat header, e.g. Nova's x-compute-request-id). An inbound
 * x-openstack-request-id of the right form is kept as the global request id that ties services together.
 */
export function requestIdFilter(_g: GlobalConf, local: Record<string, string>): Filter {
  const compat = (local.compat_headers ?? "").split(/\s+/).filter(Boolean);
  return (app) => async (req) => {
    const id = `req-${randomUUID()}`;
    req.environ.request_id = id;
    const inbound = req.headers["x-openstack-request-id"];
    if (typeof inbound === "string" && REQUEST_ID.test(inbound)) req.environ.global_request_id = inbound;
    const res = await app(req);
    res.headers["x-openstack-request-id"] = id;
    for (const h of compat) res.headers[h] = id;
    return res;
  };
}

/** faultwrap: anything thrown below becomes the service's own error body; a 500 is logged, never echoed. */
export function faultwrapFilter(global: GlobalConf): Filter {
  return (app) => async (req) => {
    try {
      return await app(req);
    } catch (err) {
      if (!(err instanceof HttpError)) {
        log.error(`${req.method} ${req.scriptName}${req.path} failed: ${(err as Error)?.stack ?? err}`, requestId(req));
      }
      return errorResponse(err, global.error_format, requestId(req));
    }
  };
}

/** sizelimit: 413 for a body over max_request_body_size, whether announced or streamed (chunked). */
export function sizelimitFilter(global: GlobalConf, local: Record<string, string>): Filter {
  const max = Number(local.max_request_body_size ?? global.max_request_body_size ?? 114688);
  const tooLarge = () => new HttpError(413, `Request is too large. The limit is ${max} bytes.`);
  return (app) => async (req) => {
    const declared = Number(req.headers["content-length"] ?? 0);
    if (declared > max) throw tooLarge();
    if (req.environ.unlimited_body) return app(req);
    const readAll = req.body;
    let capped: Promise<Buffer> | undefined;
    req.body = () => {
      capped ??= readAll().then((b) => {
        if (b.length > max) throw tooLarge();
        return b;
      });
      return capped;
    };
    return app(req);
  };
}

/**
 * trace: one `wsgi` span per request, child of an inbound `traceparent`, tagged with the request id so
 * `os trace show req-…` finds it. Handlers below add their own spans (method names) as children.
 */
export function traceFilter(global: GlobalConf): Filter {
  // Spans carry the process's service name unless the paste file names the app's own.
  const service = global.service_name ? String(global.service_name) : undefined;
  return (app) => async (req) => {
    const parent = parseTraceparent(req.headers.traceparent);
    const rid = requestId(req);
    const globalRid = req.environ.global_request_id as string | undefined;
    return withSpan(
      `${req.method} ${req.scriptName}${req.path}`,
      "wsgi",
      async (span) => {
        span.context.requestId = globalRid ?? rid;
        req.environ.trace = span.context;
        const res = await app(req);
        span.set("http.status", res.status);
        if (req.environ.user_id) span.set("user_id", req.environ.user_id);
        if (res.status >= 500) span.fail(`HTTP ${res.status}`);
        return res;
      },
      {
        parent: parent ? { ...parent, requestId: globalRid ?? rid } : undefined,
        attributes: { "http.method": req.method, "http.path": `${req.scriptName}${req.path}`, request_id: rid },
        service,
      },
    );
  };
}

registerFilter("pocketstack.request_id", requestIdFilter);
registerFilter("pocketstack.faultwrap", faultwrapFilter);
registerFilter("pocketstack.sizelimit", sizelimitFilter);
registerFilter("pocketstack.trace", traceFilter);
