/**
 * One error for every failed call: the service's own message, its HTTP status and request id, shaped
 * like keystoneauth's `<message> (HTTP 404) (Request-ID: req-…)` so users see what `openstack` prints.
 */
export class ApiError extends Error {
  override name = "ApiError";
  constructor(
    message: string,
    readonly status: number,
    readonly requestId: string | undefined,
    /** The service's message alone, without the status/request-id decoration. */
    readonly detail: string,
    readonly body: unknown,
  ) {
    super(message);
  }
}

/** A call that never got an answer (refused, reset, timed out). */
export class ConnectionError extends Error {
  override name = "ConnectionError";
}

/** The client could not work out where or how to authenticate, or the catalog lacks a service. */
export class ClientConfigError extends Error {
  override name = "ClientConfigError";
}

const GLANCE_TEXT = /^\d{3} [^\n]*\n\n([\s\S]*?)\s*$/;

/** Pull the human message out of any OpenStack service's error body. */
export function serviceMessage(body: Buffer | string, contentType: string | undefined, fallback: string): string {
  const text = typeof body === "string" ? body : body.toString("utf8");
  if (text.trim() === "") return fallback;
  if ((contentType ?? "").includes("json") || /^\s*[{[]/.test(text)) {
    try {
      return messageFromJson(JSON.parse(text)) ?? fallback;
    } catch {
      // not JSON after all: fall through to text
    }
  }
  const m = GLANCE_TEXT.exec(text);
  return (m?.[1] ?? text).trim() || fallback;
}

function messageFromJson(doc: unknown): string | undefined {
  if (!doc || typeof doc !== "object") return undefined;
  const o = doc as Record<string, unknown>;
  // Keystone: {"error": {"code", "message", "title"}}
  const err = o.error as Record<string, unknown> | undefined;
  if (err && typeof err === "object" && typeof err.message === "string") return err.message;
  // Placement: {"errors": [{"detail", "title", …}]}
  if (Array.isArray(o.errors) && o.errors.length > 0) {
    const first = o.errors[0] as Record<string, unknown>;
    if (typeof first?.detail === "string") return first.detail;
    if (typeof first?.title === "string") return first.title;
  }
  if (typeof o.message === "string") return o.message;
  // Nova: {"itemNotFound": {"code": 404, "message": "…"}}
  const keys = Object.keys(o);
  if (keys.length === 1) {
    const inner = o[keys[0] as string] as Record<string, unknown> | undefined;
    if (inner && typeof inner === "object" && typeof inner.message === "string") return inner.message;
  }
  return undefined;
}

export function apiError(
  status: number,
  statusText: string,
  body: Buffer,
  headers: Record<string, string | string[] | undefined>,
): ApiError {
  const ct = headers["content-type"];
  const detail = serviceMessage(body, Array.isArray(ct) ? ct[0] : ct, statusText || `HTTP ${status}`);
  const rid = first(headers["x-openstack-request-id"]) ?? first(headers["x-compute-request-id"]);
  let parsed: unknown = body.toString("utf8");
  try {
    parsed = JSON.parse(parsed as string);
  } catch {
    // keep text
  }
  const message = `${detail} (HTTP ${status})${rid ? ` (Request-ID: ${rid})` : ""}`;
  return new ApiError(message, status, rid, detail, parsed);
}

const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
