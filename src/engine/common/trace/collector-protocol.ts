import { decode, encode } from "@msgpack/msgpack";
import type { SpanKind, SpanRecord } from "./span.js";

/**
 * What travels from a service's exporter to the collector: one ZeroMQ message per batch, a msgpack map
 * `{ v: 1, spans: [SpanRecord…] }`. The version lets a newer collector refuse batches it cannot read.
 */
export const PROTOCOL_VERSION = 1;

const KINDS = new Set<SpanKind>(["wsgi", "rpc", "db", "http", "driver", "internal"]);

/** `zmq://host:port` (the config's form) → `tcp://host:port`; tcp:// and ipc:// pass through. */
export function zmqEndpoint(url: string): string {
  const m = /^(zmq|tcp):\/\/([^/:]+|\[[0-9a-fA-F:]+\]):(\d{1,5})\/?$/.exec(url.trim());
  if (m && Number(m[3]) > 0 && Number(m[3]) < 65536) return `tcp://${m[2]}:${m[3]}`;
  if (/^ipc:\/\/.+/.test(url)) return url;
  throw new Error(`[trace] collector_url '${url}' is not of the form zmq://host:port`);
}

export function encodeBatch(spans: SpanRecord[]): Uint8Array {
  return encode({ v: PROTOCOL_VERSION, spans }, { ignoreUndefined: true });
}

const str = (v: unknown): v is string => typeof v === "string" && v.length > 0;
const strOrNull = (v: unknown) => v === null || v === undefined || typeof v === "string";
const num = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

function asSpan(x: unknown): SpanRecord | undefined {
  if (typeof x !== "object" || x === null) return undefined;
  const s = x as Record<string, unknown>;
  if (!str(s.trace_id) || !str(s.span_id) || !str(s.service) || !str(s.host) || !str(s.name)) return undefined;
  if (!num(s.pid) || !num(s.start) || !num(s.end) || !KINDS.has(s.kind as SpanKind)) return undefined;
  if (!strOrNull(s.parent_id) || !strOrNull(s.request_id) || !strOrNull(s.error)) return undefined;
  const attributes = typeof s.attributes === "object" && s.attributes !== null && !Array.isArray(s.attributes) ? s.attributes : {};
  return {
    trace_id: s.trace_id,
    span_id: s.span_id,
    parent_id: (s.parent_id as string | null | undefined) ?? null,
    request_id: (s.request_id as string | null | undefined) ?? null,
    service: s.service,
    host: s.host,
    pid: s.pid,
    name: s.name,
    kind: s.kind as SpanKind,
    start: s.start,
    end: s.end,
    attributes: attributes as Record<string, unknown>,
    error: (s.error as string | null | undefined) ?? null,
  };
}

/** Decode one message; malformed spans are counted, not stored. Throws on a message that is no batch at all. */
export function decodeBatch(frame: Uint8Array): { spans: SpanRecord[]; rejected: number } {
  const msg = decode(frame) as { v?: unknown; spans?: unknown };
  if (typeof msg !== "object" || msg === null || msg.v !== PROTOCOL_VERSION || !Array.isArray(msg.spans)) {
    throw new Error(`not a version ${PROTOCOL_VERSION} span batch`);
  }
  const spans: SpanRecord[] = [];
  let rejected = 0;
  for (const x of msg.spans) {
    const s = asSpan(x);
    if (s) spans.push(s);
    else rejected++;
  }
  return { spans, rejected };
}
