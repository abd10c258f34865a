/** One timed step of a request, as stored by the collector and drawn by `os trace`. */
export type SpanKind = "wsgi" | "rpc" | "db" | "http" | "driver" | "internal";

export interface SpanRecord {
  trace_id: string;
  span_id: string;
  parent_id: string | null;
  request_id: string | null;
  service: string;
  host: string;
  pid: number;
  name: string;
  kind: SpanKind;
  /** Epoch milliseconds (fractional). */
  start: number;
  end: number;
  attributes: Record<string, unknown>;
  error: string | null;
}

/** What travels between processes: in `traceparent` over HTTP, in the RPC context over the bus. */
export interface TraceContext {
  traceId: string;
  spanId: string;
  requestId?: string;
}

const HEX32 = /^[0-9a-f]{32}$/;
const HEX16 = /^[0-9a-f]{16}$/;

/** W3C trace-context: `00-<trace id>-<parent span id>-01`. */
export function formatTraceparent(ctx: TraceContext): string {
  return `00-${ctx.traceId}-${ctx.spanId}-01`;
}

export function parseTraceparent(header: string | string[] | undefined): TraceContext | undefined {
  if (typeof header !== "string") return undefined;
  const [version, traceId, spanId] = header.trim().split("-");
  if (version !== "00" || !traceId || !spanId || !HEX32.test(traceId) || !HEX16.test(spanId)) return undefined;
  if (/^0+$/.test(traceId) || /^0+$/.test(spanId)) return undefined;
  return { traceId, spanId };
}
