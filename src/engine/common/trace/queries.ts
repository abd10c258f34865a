import { existsSync } from "node:fs";
import Database from "better-sqlite3";
import type { SpanKind, SpanRecord } from "./span.js";

/**
 * The reading side of the trace database, for `os trace` and the trace views: opened read-only, so
 * looking at traces never competes with the collector for the write lock (WAL lets both run at once).
 */
export interface RequestSummary {
  trace_id: string;
  request_id: string | null;
  method: string | null;
  path: string | null;
  status: number | null;
  /** The root span's duration, milliseconds. */
  duration_ms: number;
  spans: number;
  /** Services in the order they first appear in the trace. */
  services: string[];
  start: number;
  root: SpanRecord;
}

export class TraceDatabaseMissing extends Error {
  override name = "TraceDatabaseMissing";
}

interface SpanRow extends Omit<SpanRecord, "attributes" | "kind"> {
  kind: string;
  attributes: string;
}

const toSpan = (row: SpanRow): SpanRecord => {
  let attributes: Record<string, unknown> = {};
  try {
    attributes = JSON.parse(row.attributes) as Record<string, unknown>;
  } catch {
    // a damaged attribute blob should not hide the span
  }
  return { ...row, kind: row.kind as SpanKind, attributes };
};

const TRACE_ID = /^[0-9a-f]{32}$/;

export interface TraceReader {
  /** Recent requests (traces whose root span is a wsgi span), newest first. */
  listRequests(opts?: { limit?: number; service?: string }): RequestSummary[];
  /** Every span of the traces an id names: a trace id, or a request id (global or per service). */
  findSpans(id: string): SpanRecord[];
  close(): void;
}

export function openTraceReader(file: string): TraceReader {
  if (!existsSync(file)) throw new TraceDatabaseMissing(`No trace database at ${file}: no traces have been collected yet.`);
  const db = new Database(file, { readonly: true, fileMustExist: true });
  db.pragma("busy_timeout = 2000");

  const recentTraces = db.prepare("SELECT trace_id FROM traces ORDER BY start DESC").pluck();
  // The root is the earliest wsgi span with no parent in the stored trace (its caller may not be traced,
  // e.g. a client that sent a traceparent of its own).
  const rootOf = db.prepare(
    `SELECT * FROM spans s WHERE s.trace_id = ? AND s.kind = 'wsgi'
       AND (s.parent_id IS NULL OR NOT EXISTS (SELECT 1 FROM spans p WHERE p.trace_id = s.trace_id AND p.span_id = s.parent_id))
     ORDER BY s.start LIMIT 1`,
  );
  const countOf = db.prepare("SELECT COUNT(*) FROM spans WHERE trace_id = ?").pluck();
  const servicesOf = db.prepare("SELECT service FROM spans WHERE trace_id = ? GROUP BY service ORDER BY MIN(start)").pluck();
  const spansOfTrace = db.prepare("SELECT * FROM spans WHERE trace_id = ? ORDER BY start");
  const tracesOfRequest = db.prepare("SELECT DISTINCT trace_id FROM spans WHERE request_id = ?").pluck();
  // A service's own request id (the one in its log lines) is kept in the wsgi span's attributes.
  const tracesOfLocalRequest = db
    .prepare("SELECT DISTINCT trace_id FROM spans WHERE kind = 'wsgi' AND json_extract(attributes, '$.request_id') = ?")
    .pluck();

  return {
    listRequests({ limit = 50, service } = {}) {
      const out: RequestSummary[] = [];
      for (const traceId of recentTraces.iterate() as IterableIterator<string>) {
        if (out.length >= limit) break;
        const row = rootOf.get(traceId) as SpanRow | undefined;
        if (!row) continue;
        const services = servicesOf.all(traceId) as string[];
        if (service && !services.includes(service)) continue;
        const root = toSpan(row);
        const attr = root.attributes;
        out.push({
          trace_id: traceId,
          request_id: root.request_id,
          method: typeof attr["http.method"] === "string" ? attr["http.method"] : null,
          path: typeof attr["http.path"] === "string" ? attr["http.path"] : null,
          status: typeof attr["http.status"] === "number" ? attr["http.status"] : null,
          duration_ms: root.end - root.start,
          spans: countOf.get(traceId) as number,
          services,
          start: root.start,
          root,
        });
      }
      return out;
    },
    findSpans(id) {
      const traceIds = TRACE_ID.test(id)
        ? [id]
        : (() => {
            const global = tracesOfRequest.all(id) as string[];
            return global.length > 0 ? global : (tracesOfLocalRequest.all(id) as string[]);
          })();
      const spans = traceIds.flatMap((t) => (spansOfTrace.all(t) as SpanRow[]).map(toSpan));
      return spans.sort((a, b) => a.start - b.start);
    },
    close: () => db.close(),
  };
}
