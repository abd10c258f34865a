import type { SpanRecord } from "../../engine/common/trace/span.js";
import { type TraceSnapshot, type TraceSummaryRow, openTraceWatchReader, preferRoot } from "../../engine/common/trace/watch-queries.js";

/** Where the watcher reads spans from: the SQLite store in real use, an array in tests and the bench. */
export interface TraceSource {
  snapshot(limit: number): TraceSnapshot;
  page(limit: number, before: number): TraceSummaryRow[];
  since(cursor: number): { spans: SpanRecord[]; cursor: number };
  spansOf(traceId: string): SpanRecord[];
  close(): void;
}

export function sqliteSource(file: string): TraceSource {
  return openTraceWatchReader(file);
}

/** An in-memory store: `push` plays the collector (spans "arrive"), the cursor is the array index. */
export class MemorySource implements TraceSource {
  private spans: SpanRecord[] = [];

  constructor(initial: SpanRecord[] = []) {
    this.spans.push(...initial);
  }

  push(...spans: SpanRecord[]): void {
    this.spans.push(...spans);
  }

  snapshot(limit: number): TraceSnapshot {
    return { summaries: this.page(limit, Number.MAX_VALUE), cursor: this.spans.length };
  }

  page(limit: number, before: number): TraceSummaryRow[] {
    const byTrace = new Map<string, TraceSummaryRow>();
    for (const s of this.spans) {
      const t = byTrace.get(s.trace_id) ?? {
        trace_id: s.trace_id,
        start: s.start,
        last_end: s.end,
        spans: 0,
        errors: 0,
        services: [],
        root: null,
      };
      t.start = Math.min(t.start, s.start);
      t.last_end = Math.max(t.last_end, s.end);
      t.spans += 1;
      if (s.error !== null) t.errors += 1;
      if (!t.services.includes(s.service)) t.services.push(s.service);
      if (s.parent_id === null) t.root = preferRoot(t.root, s);
      byTrace.set(s.trace_id, t);
    }
    return [...byTrace.values()]
      .filter((t) => t.start < before)
      .sort((a, b) => b.start - a.start)
      .slice(0, limit);
  }

  since(cursor: number): { spans: SpanRecord[]; cursor: number } {
    return { spans: this.spans.slice(cursor), cursor: this.spans.length };
  }

  spansOf(traceId: string): SpanRecord[] {
    return this.spans.filter((s) => s.trace_id === traceId).sort((a, b) => a.start - b.start);
  }

  close(): void {}
}
