import { existsSync } from "node:fs";
import Database from "better-sqlite3";
import { TraceDatabaseMissing } from "./queries.js";
import type { SpanKind, SpanRecord } from "./span.js";

/**
 * Queries for `os trace watch` and `os trace purge`. The watcher reads the store in two steps: one
 * snapshot of the newest traces (a summary per trace, not every span), then a cheap poll for spans whose
 * rowid is above the last one seen. `INSERT OR REPLACE` gives a replaced span a new rowid, so the poll
 * sees updates too.
 */
export interface TraceSummaryRow {
  trace_id: string;
  /** Earliest span start in the trace (epoch ms). */
  start: number;
  /** Latest span end seen so far (epoch ms). */
  last_end: number;
  spans: number;
  errors: number;
  services: string[];
  /** The earliest parentless span, preferring a wsgi one; null while the request is still open. */
  root: SpanRecord | null;
}

export interface TraceSnapshot {
  summaries: TraceSummaryRow[];
  /** The largest span rowid the snapshot covers; poll from here. */
  cursor: number;
}

export interface TraceWatchReader {
  /** The newest `limit` traces, and the cursor to poll from. */
  snapshot(limit: number): TraceSnapshot;
  /** The next older page: up to `limit` traces that started before `before` (epoch ms), newest first. */
  page(limit: number, before: number): TraceSummaryRow[];
  /** Spans stored after the cursor, oldest first, at most `limit` of them; and the new cursor. */
  since(cursor: number, limit?: number): { spans: SpanRecord[]; cursor: number };
  /** Every span of one trace, by start. */
  spansOf(traceId: string): SpanRecord[];
  close(): void;
}

interface Row extends Omit<SpanRecord, "attributes" | "kind"> {
  rowid: number;
  kind: string;
  attributes: string;
}

export function rowToSpan(row: Omit<Row, "rowid"> & { rowid?: number }): SpanRecord {
  let attributes: Record<string, unknown> = {};
  try {
    attributes = JSON.parse(row.attributes) as Record<string, unknown>;
  } catch {
    // a damaged attribute blob should not hide the span
  }
  return {
    trace_id: row.trace_id,
    span_id: row.span_id,
    parent_id: row.parent_id,
    request_id: row.request_id,
    service: row.service,
    host: row.host,
    pid: row.pid,
    name: row.name,
    kind: row.kind as SpanKind,
    start: row.start,
    end: row.end,
    attributes,
    error: row.error,
  };
}

/** The better root of two candidates: a wsgi span beats any other kind, then the earlier one. */
function betterRoot(a: SpanRecord | null, b: SpanRecord): SpanRecord {
  if (!a) return b;
  if ((a.kind === "wsgi") !== (b.kind === "wsgi")) return a.kind === "wsgi" ? a : b;
  return b.start < a.start ? b : a;
}
export { betterRoot as preferRoot };

export function openTraceWatchReader(file: string): TraceWatchReader {
  if (!existsSync(file)) throw new TraceDatabaseMissing(`No trace database at ${file}: no traces have been collected yet.`);
  const db = new Database(file, { readonly: true, fileMustExist: true });
  db.pragma("busy_timeout = 2000");

  const maxRowid = db.prepare("SELECT COALESCE(MAX(rowid), 0) FROM spans").pluck();
  // Both queries walk the newest traces through the traces_start index and each trace's spans through
  // the primary key (trace_id, span_id): no scan of the whole span table.
  const aggregates = db.prepare(
    `SELECT t.trace_id AS trace_id, MIN(s.start) AS start, MAX(s."end") AS last_end, COUNT(*) AS spans,
            SUM(s.error IS NOT NULL) AS errors, GROUP_CONCAT(DISTINCT s.service) AS services
       FROM (SELECT trace_id, start FROM traces WHERE start < ? ORDER BY start DESC LIMIT ?) t
       JOIN spans s ON s.trace_id = t.trace_id
      GROUP BY t.trace_id`,
  );
  const roots = db.prepare(
    `SELECT s.* FROM (SELECT trace_id FROM traces WHERE start < ? ORDER BY start DESC LIMIT ?) t
       JOIN spans s ON s.trace_id = t.trace_id
      WHERE s.parent_id IS NULL`,
  );
  const after = db.prepare(`SELECT rowid, * FROM spans WHERE rowid > ? ORDER BY rowid LIMIT ?`);
  const ofTrace = db.prepare("SELECT * FROM spans WHERE trace_id = ? ORDER BY start");

  const page = (limit: number, before: number): TraceSummaryRow[] => {
    const rootOf = new Map<string, SpanRecord>();
    for (const r of roots.all(before, limit) as Row[]) {
      const span = rowToSpan(r);
      rootOf.set(span.trace_id, betterRoot(rootOf.get(span.trace_id) ?? null, span));
    }
    const summaries = (
      aggregates.all(before, limit) as Array<Omit<TraceSummaryRow, "services" | "root"> & { services: string | null }>
    ).map((a) => ({ ...a, services: a.services ? a.services.split(",") : [], root: rootOf.get(a.trace_id) ?? null }));
    return summaries.sort((a, b) => b.start - a.start);
  };
  // One read transaction: the cursor and the page describe the same moment.
  const snapshot = db.transaction((limit: number): TraceSnapshot => {
    const cursor = maxRowid.get() as number;
    return { summaries: page(limit, Number.MAX_VALUE), cursor };
  });

  return {
    snapshot: (limit) => snapshot(limit),
    page,
    since(cursor, limit = 5000) {
      const rows = after.all(cursor, limit) as Row[];
      return { spans: rows.map(rowToSpan), cursor: rows.length > 0 ? (rows[rows.length - 1] as Row).rowid : cursor };
    },
    spansOf: (traceId) => (ofTrace.all(traceId) as Row[]).map(rowToSpan),
    close: () => db.close(),
  };
}

/**
 * `os trace purge`: drop whole traces that started before `before` (epoch ms), or all of them when
 * `before` is undefined. Opens the database for writing; WAL lets the collector keep going meanwhile.
 */
export function purgeTraces(file: string, opts: { before?: number }): { traces: number; spans: number } {
  if (!existsSync(file)) return { traces: 0, spans: 0 };
  const db = new Database(file, { fileMustExist: true });
  db.pragma("busy_timeout = 5000");
  try {
    return db.transaction(() => {
      const cutoff = opts.before ?? Number.MAX_VALUE;
      const spans = db.prepare("DELETE FROM spans WHERE trace_id IN (SELECT trace_id FROM traces WHERE start < ?)").run(cutoff).changes;
      const traces = db.prepare("DELETE FROM traces WHERE start < ?").run(cutoff).changes;
      return { traces, spans };
    })();
  } finally {
    db.close();
  }
}
