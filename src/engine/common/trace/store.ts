import { type Migration, type OpenOptions, migrate, openDatabase } from "../db/database.js";
import type { SpanRecord } from "./span.js";

/**
 * The trace database (`db/trace.sqlite`): one row per span, plus one row per trace that records when
 * it started so retention can drop whole traces, oldest first, without scanning the span table.
 * `spans` is keyed by (trace_id, span_id): that key is also the trace_id index `os trace show` uses.
 */
export const TRACE_MIGRATIONS: Migration[] = [
  {
    version: 1,
    description: "spans and traces",
    up: `
      CREATE TABLE spans (
        trace_id   TEXT NOT NULL,
        span_id    TEXT NOT NULL,
        parent_id  TEXT,
        request_id TEXT,
        service    TEXT NOT NULL,
        host       TEXT NOT NULL,
        pid        INTEGER NOT NULL,
        name       TEXT NOT NULL,
        kind       TEXT NOT NULL,
        start      REAL NOT NULL,
        "end"      REAL NOT NULL,
        attributes TEXT NOT NULL DEFAULT '{}',
        error      TEXT,
        PRIMARY KEY (trace_id, span_id)
      );
      CREATE INDEX spans_request_id ON spans (request_id);
      CREATE INDEX spans_start ON spans (start);
      CREATE TABLE traces (
        trace_id TEXT PRIMARY KEY,
        start    REAL NOT NULL
      );
      CREATE INDEX traces_start ON traces (start);
    `,
  },
];

export interface TraceWriter {
  /** Store spans in one transaction, then drop the oldest traces beyond retention. Returns spans pruned. */
  insert(spans: SpanRecord[]): { stored: number; pruned: number };
  traceCount(): number;
  close(): void;
}

/** The collector's side: open (and migrate) the database for writing. */
export function openTraceWriter(file: string, opts: { retention: number; db?: OpenOptions }): TraceWriter {
  const db = openDatabase(file, opts.db);
  migrate(db, TRACE_MIGRATIONS);
  const insertSpan = db.prepare(
    `INSERT OR REPLACE INTO spans (trace_id, span_id, parent_id, request_id, service, host, pid, name, kind, start, "end", attributes, error)
     VALUES (@trace_id, @span_id, @parent_id, @request_id, @service, @host, @pid, @name, @kind, @start, @end, @attributes, @error)`,
  );
  const upsertTrace = db.prepare(
    "INSERT INTO traces (trace_id, start) VALUES (?, ?) ON CONFLICT (trace_id) DO UPDATE SET start = MIN(start, excluded.start)",
  );
  const countTraces = db.prepare("SELECT COUNT(*) AS n FROM traces").pluck();
  const oldest = db.prepare("SELECT trace_id FROM traces ORDER BY start ASC LIMIT ?").pluck();
  const deleteSpans = db.prepare("DELETE FROM spans WHERE trace_id = ?");
  const deleteTrace = db.prepare("DELETE FROM traces WHERE trace_id = ?");

  const prune = (): number => {
    const excess = (countTraces.get() as number) - opts.retention;
    if (excess <= 0) return 0;
    let removed = 0;
    for (const id of oldest.all(excess) as string[]) {
      removed += deleteSpans.run(id).changes;
      deleteTrace.run(id);
    }
    return removed;
  };

  const insertAll = db.transaction((spans: SpanRecord[]) => {
    for (const s of spans) {
      insertSpan.run({ ...s, attributes: JSON.stringify(s.attributes ?? {}) });
      upsertTrace.run(s.trace_id, s.start);
    }
    return { stored: spans.length, pruned: prune() };
  });

  return {
    insert: (spans) => (spans.length === 0 ? { stored: 0, pruned: 0 } : insertAll(spans)),
    traceCount: () => countTraces.get() as number,
    close: () => db.close(),
  };
}
