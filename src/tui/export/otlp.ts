import type { SpanRecord } from "../../engine/common/trace/span.js";

/**
 * OTLP/JSON (the protobuf JSON mapping of ExportTraceServiceRequest), as Jaeger and Tempo import it:
 * one resourceSpans entry per process (service.name, host.name, process.pid), hex trace/span ids,
 * times as decimal strings of unix nanoseconds, enums as numbers, attributes as KeyValue/AnyValue.
 */
export type AnyValue =
  | { stringValue: string }
  | { boolValue: boolean }
  | { intValue: string }
  | { doubleValue: number }
  | { arrayValue: { values: AnyValue[] } }
  | { kvlistValue: { values: KeyValue[] } };
export interface KeyValue {
  key: string;
  value: AnyValue;
}

export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: KeyValue[];
  status: { code: number; message?: string };
}

export interface OtlpTraces {
  resourceSpans: Array<{
    resource: { attributes: KeyValue[] };
    scopeSpans: Array<{ scope: { name: string; version: string }; spans: OtlpSpan[] }>;
  }>;
}

/** SpanKind enum of opentelemetry/proto/trace/v1/trace.proto. */
export const SPAN_KIND = { INTERNAL: 1, SERVER: 2, CLIENT: 3, PRODUCER: 4, CONSUMER: 5 } as const;
/** Status.StatusCode. */
export const STATUS_CODE = { UNSET: 0, OK: 1, ERROR: 2 } as const;

export function anyValue(v: unknown): AnyValue {
  if (typeof v === "string") return { stringValue: v };
  if (typeof v === "boolean") return { boolValue: v };
  if (typeof v === "number") return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
  if (Array.isArray(v)) return { arrayValue: { values: v.map(anyValue) } };
  if (v && typeof v === "object")
    return { kvlistValue: { values: Object.entries(v).map(([key, value]) => ({ key, value: anyValue(value) })) } };
  return { stringValue: v === null || v === undefined ? "" : String(v) };
}

function otlpKind(s: SpanRecord): number {
  const server = s.attributes.side === "server";
  switch (s.kind) {
    case "wsgi":
      return SPAN_KIND.SERVER;
    case "http":
    case "db":
      return SPAN_KIND.CLIENT;
    case "rpc":
      if (s.attributes.kind === "cast" || s.attributes.kind === "fanout") return server ? SPAN_KIND.CONSUMER : SPAN_KIND.PRODUCER;
      return server ? SPAN_KIND.SERVER : SPAN_KIND.CLIENT;
    default:
      return SPAN_KIND.INTERNAL;
  }
}

/** Epoch milliseconds (fractional) → unix nanoseconds as a decimal string, exact to the microsecond. */
export function unixNano(ms: number): string {
  return (BigInt(Math.round(ms * 1000)) * 1000n).toString();
}

export function toOtlp(spans: SpanRecord[], version = "0.1.0"): OtlpTraces {
  const byProcess = new Map<string, SpanRecord[]>();
  for (const s of spans) {
    const key = `${s.service}\u0000${s.host}\u0000${s.pid}`;
    byProcess.set(key, [...(byProcess.get(key) ?? []), s]);
  }
  return {
    resourceSpans: [...byProcess.values()].map((group) => {
      const first = group[0] as SpanRecord;
      return {
        resource: {
          attributes: [
            { key: "service.name", value: { stringValue: first.service } },
            { key: "host.name", value: { stringValue: first.host } },
            { key: "process.pid", value: { intValue: String(first.pid) } },
          ],
        },
        scopeSpans: [
          {
            scope: { name: "pocketstack", version },
            spans: group.map((s) => ({
              traceId: s.trace_id,
              spanId: s.span_id,
              ...(s.parent_id ? { parentSpanId: s.parent_id } : {}),
              name: s.name,
              kind: otlpKind(s),
              startTimeUnixNano: unixNano(s.start),
              endTimeUnixNano: unixNano(s.end),
              attributes: [
                { key: "pocketstack.kind", value: { stringValue: s.kind } },
                ...(s.request_id ? [{ key: "openstack.request_id", value: { stringValue: s.request_id } }] : []),
                ...Object.entries(s.attributes).map(([key, value]) => ({ key, value: anyValue(value) })),
              ],
              status: s.error ? { code: STATUS_CODE.ERROR, message: s.error } : { code: STATUS_CODE.UNSET },
            })),
          },
        ],
      };
    }),
  };
}
