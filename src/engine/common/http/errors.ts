import { STATUS_CODES } from "node:http";
import { type HttpResponse, json } from "./types.js";

/** An error that becomes a 4xx/5xx in the service's own error body. Throw it from any handler. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: { code?: string; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.name = "HttpError";
  }
}

export const badRequest = (msg: string, code?: string) => new HttpError(400, msg, { code });
export const unauthorized = (msg = "The request you have made requires authentication.") => new HttpError(401, msg);
export const forbidden = (msg: string) => new HttpError(403, msg);
export const notFound = (msg: string, code?: string) => new HttpError(404, msg, { code });
export const conflict = (msg: string, code?: string) => new HttpError(409, msg, { code });

/** Each OpenStack service shapes its error bodies differently; a formatter renders one. */
export type ErrorFormat = "keystone" | "nova" | "placement" | "glance" | "plain";
export type ErrorFormatter = (status: number, message: string, requestId: string | undefined, code?: string) => HttpResponse;

const title = (status: number) => STATUS_CODES[status] ?? "Error";

// Nova's fault names by status (nova.api.openstack.wsgi's _FAULT_NAMES).
const NOVA_FAULTS: Record<number, string> = {
  400: "badRequest",
  401: "unauthorized",
  403: "forbidden",
  404: "itemNotFound",
  405: "badMethod",
  409: "conflictingRequest",
  413: "overLimit",
  415: "badMediaType",
  429: "overLimit",
  501: "notImplemented",
  503: "serviceUnavailable",
};

export const ERROR_FORMATTERS: Record<ErrorFormat, ErrorFormatter> = {
  keystone: (status, message) => json(status, { error: { code: status, message, title: title(status) } }),
  nova: (status, message) => json(status, { [NOVA_FAULTS[status] ?? "computeFault"]: { code: status, message } }),
  placement: (status, message, requestId, code) =>
    json(status, {
      errors: [{ status, title: title(status), detail: message, code: code ?? "placement.undefined_code", request_id: requestId }],
    }),
  // Glance answers webob's plain-text fault pages.
  glance: (status, message) => ({
    status,
    headers: { "content-type": "text/plain; charset=UTF-8" },
    body: `${status} ${title(status)}\n\n${message}\n\n   `,
  }),
  plain: (status, message) => ({ status, headers: { "content-type": "text/plain" }, body: `${status} ${title(status)}: ${message}\n` }),
};

export function formatterFor(format: unknown): ErrorFormatter {
  return ERROR_FORMATTERS[(format as ErrorFormat) ?? "plain"] ?? ERROR_FORMATTERS.plain;
}

/** Turn any thrown value into the service's error response (HttpError keeps its status; others are 500). */
export function errorResponse(err: unknown, format: unknown, requestId: string | undefined): HttpResponse {
  const fmt = formatterFor(format);
  if (err instanceof HttpError) {
    const res = fmt(err.status, err.message, requestId, err.extra.code);
    Object.assign(res.headers, err.extra.headers ?? {});
    return res;
  }
  if (format === "nova") return fmt(500, novaUnexpected(err), requestId);
  return fmt(500, "An unexpected error prevented the server from fulfilling your request.", requestId);
}

// The bus's errors as oslo.messaging names them, so a timed-out RPC call is recognisable in the fault.
const MESSAGING_ERRORS = new Set(["MessagingTimeout", "MessageDeliveryFailure", "UnsupportedVersion", "NoSuchMethod", "MessagingError"]);

/** nova.api.openstack's expected_errors wording for anything unexpected: a support line and the exception's class. */
function novaUnexpected(err: unknown): string {
  const name = err instanceof Error ? err.name : typeof err;
  const cls = MESSAGING_ERRORS.has(name) ? `oslo_messaging.exceptions.${name}` : name;
  return `Unexpected API Error. Please report this to the pocketstack project and attach the nova-api log if possible.\n<class '${cls}'>`;
}
