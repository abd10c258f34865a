import type { SpanRecord } from "../../engine/common/trace/span.js";
import { type TraceSummaryRow, preferRoot } from "../../engine/common/trace/watch-queries.js";

/** One request in the watcher's list: a summary that grows as the trace's spans arrive. */
export interface RequestEntry {
  traceId: string;
  requestId: string | null;
  /** The parentless (preferably wsgi) span; null while the request is still in flight. */
  root: SpanRecord | null;
  start: number;
  lastEnd: number;
  spans: number;
  errors: number;
  services: string[];
  /** Wall clock (ms) when the watcher last saw one of its spans arrive; 0 when it came from the snapshot. */
  lastArrival: number;
}

/** A trace still "open": its request has not answered yet, or spans arrived in the last couple of seconds. */
export function isOpen(e: RequestEntry, now: number, quietMs = 2000): boolean {
  if (e.lastArrival === 0) return false; // from the snapshot: whatever was open then is long over or lost
  return (e.root === null && now - e.lastArrival < 60_000) || now - e.lastArrival < quietMs;
}

/** HTTP method of the request; null for a trace that is not a request (a periodic task) or still open. */
export const methodOf = (e: RequestEntry) =>
  e.root?.kind === "wsgi" ? (str(e.root.attributes["http.method"]) ?? e.root.name.split(" ")[0] ?? null) : null;
/** The request's path, or for a periodic task its span name. */
export const pathOf = (e: RequestEntry) =>
  e.root?.kind === "wsgi"
    ? (str(e.root.attributes["http.path"]) ?? (e.root.name.split(" ").slice(1).join(" ") || null))
    : (e.root?.name ?? null);
export const statusOf = (e: RequestEntry) =>
  typeof e.root?.attributes["http.status"] === "number" ? (e.root.attributes["http.status"] as number) : null;
export const userOf = (e: RequestEntry) => str(e.root?.attributes.user_id);
/** The request's own duration once answered; until then, how long the trace has been going. */
export const durationOf = (e: RequestEntry) => (e.root ? e.root.end - e.root.start : e.lastEnd - e.start);
function str(v: unknown): string | null {
  return typeof v === "string" ? v : null;
}

/**
 * The watcher's in-memory picture of the store: summaries of the newest `limit` traces, and the full
 * span list of the traces it holds (those that started while watching, and the ones the user opened).
 * Pure data, no React: the hook feeds it, the components read it.
 */
export class TraceFeed {
  private entries = new Map<string, RequestEntry>();
  private held = new Map<string, Map<string, SpanRecord>>();
  private ordered: RequestEntry[] | null = null;
  /** Bumped on every change, so React can tell a new picture from the old one. */
  version = 0;

  constructor(private readonly limit = 10_000) {}

  /** Add summaries read from the store (the first page, then older ones); traces already known win. */
  loadSnapshot(rows: TraceSummaryRow[]): void {
    for (const r of rows.slice(0, Math.max(0, this.limit - this.entries.size))) {
      if (this.entries.has(r.trace_id)) continue;
      this.entries.set(r.trace_id, {
        traceId: r.trace_id,
        requestId: r.root?.request_id ?? null,
        root: r.root,
        start: r.start,
        lastEnd: r.last_end,
        spans: r.spans,
        errors: r.errors,
        services: r.services,
        lastArrival: 0,
      });
    }
    this.changed();
  }

  /** New spans from the store. Returns the trace ids they touched. */
  apply(spans: SpanRecord[], now: number): Set<string> {
    const touched = new Set<string>();
    for (const s of spans) {
      let e = this.entries.get(s.trace_id);
      if (!e) {
        e = {
          traceId: s.trace_id,
          requestId: s.request_id,
          root: null,
          start: s.start,
          lastEnd: s.end,
          spans: 0,
          errors: 0,
          services: [],
          lastArrival: now,
        };
        this.entries.set(s.trace_id, e);
        // Its first span arrived while watching, so every span of it will come through here too.
        this.held.set(s.trace_id, new Map());
      }
      const held = this.held.get(s.trace_id);
      const seen = held?.has(s.span_id) ?? false;
      held?.set(s.span_id, s);
      if (!seen) {
        e.spans += 1;
        if (s.error !== null) e.errors += 1;
      }
      if (s.parent_id === null) e.root = preferRoot(e.root, s);
      e.requestId ??= s.request_id;
      e.start = Math.min(e.start, s.start);
      e.lastEnd = Math.max(e.lastEnd, s.end);
      if (!e.services.includes(s.service)) e.services.push(s.service);
      e.lastArrival = now;
      touched.add(s.trace_id);
    }
    if (touched.size > 0) {
      this.trim();
      this.changed();
    }
    return touched;
  }

  /** Keep a trace's full span list (read from the store when the user opens it). */
  hold(traceId: string, spans: SpanRecord[]): void {
    const map = this.held.get(traceId) ?? new Map<string, SpanRecord>();
    for (const s of spans) if (!map.has(s.span_id)) map.set(s.span_id, s);
    this.held.set(traceId, map);
    // The list's order did not change: keep the sorted list (re-sorting 10,000 entries costs a frame).
    this.version += 1;
  }

  isHeld(traceId: string): boolean {
    return this.held.has(traceId);
  }

  spansOf(traceId: string): SpanRecord[] | undefined {
    const map = this.held.get(traceId);
    return map ? [...map.values()].sort((a, b) => a.start - b.start) : undefined;
  }

  get(traceId: string): RequestEntry | undefined {
    return this.entries.get(traceId);
  }

  /** Newest first. */
  requests(): RequestEntry[] {
    this.ordered ??= [...this.entries.values()].sort((a, b) => b.start - a.start);
    return this.ordered;
  }

  /** The start of the oldest trace held: where the next older page begins. */
  oldestStart(): number {
    const all = this.requests();
    return all.length > 0 ? (all[all.length - 1] as RequestEntry).start : Number.MAX_VALUE;
  }

  get size(): number {
    return this.entries.size;
  }

  private trim(): void {
    if (this.entries.size <= this.limit) return;
    const oldest = [...this.entries.values()].sort((a, b) => a.start - b.start).slice(0, this.entries.size - this.limit);
    for (const e of oldest) {
      this.entries.delete(e.traceId);
      this.held.delete(e.traceId);
    }
  }

  private changed(): void {
    this.ordered = null;
    this.version += 1;
  }
}
