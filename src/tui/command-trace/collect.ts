import { existsSync } from "node:fs";
import { TraceDatabaseMissing, type TraceReader, openTraceReader } from "../../engine/common/trace/queries.js";
import type { SpanRecord } from "../../engine/common/trace/span.js";
import type { ClientCall, CommandTraceRecorder } from "./recorder.js";

/**
 * One tree for the whole command: the services' spans (stored as one trace per API request) are drawn
 * under the client's span of the call that caused them, all on one time axis. Display copies only: the
 * store keeps its traces as the services recorded them.
 */
export function joinCommandTrace(clientSpans: SpanRecord[], calls: ClientCall[], stored: SpanRecord[]): SpanRecord[] {
  const root = clientSpans.find((s) => s.parent_id === null);
  if (!root) return [...clientSpans];
  const callOf = new Map(calls.filter((c) => c.requestId).map((c) => [c.requestId as string, c.spanId]));
  const present = new Set(stored.map((s) => `${s.trace_id}/${s.span_id}`));
  const joined = stored.map((s): SpanRecord => {
    const orphan = s.parent_id === null || !present.has(`${s.trace_id}/${s.parent_id}`);
    if (!orphan) return { ...s, trace_id: root.trace_id };
    // The wsgi span that answered one of our calls carries that response's request id.
    const rid = typeof s.attributes.request_id === "string" ? s.attributes.request_id : undefined;
    const parent = (s.kind === "wsgi" && rid && callOf.get(rid)) || root.span_id;
    return { ...s, trace_id: root.trace_id, parent_id: parent };
  });
  return [...clientSpans, ...joined].sort((a, b) => a.start - b.start);
}

/** Calls that got an answer whose server-side span has not reached the store yet. */
export function unansweredCalls(calls: ClientCall[], stored: SpanRecord[]): ClientCall[] {
  const seen = new Set(stored.filter((s) => s.kind === "wsgi").map((s) => s.attributes.request_id));
  return calls.filter((c) => c.requestId !== undefined && !seen.has(c.requestId));
}

export interface CollectOptions {
  /** Stop once nothing new arrived for this long (and every answered call has its span). */
  quietMs?: number;
  /** Give up after this long, with whatever arrived. */
  maxMs?: number;
  /** Stop as soon as every answered call has its span (the live view keeps polling by itself). */
  firstSight?: boolean;
}

/** Reads the command's spans from the trace store (by its global request id); opened on first need. */
export class CommandSpanReader {
  private reader?: TraceReader;
  constructor(
    readonly file: string,
    private readonly recorder: CommandTraceRecorder,
  ) {}

  read(): SpanRecord[] {
    if (!this.reader) {
      if (!existsSync(this.file)) return [];
      try {
        this.reader = openTraceReader(this.file);
      } catch (err) {
        if (err instanceof TraceDatabaseMissing) return [];
        throw err;
      }
    }
    return this.reader.findSpans(this.recorder.globalRequestId);
  }

  /**
   * Spans travel from each service to the collector in batches and the collector stores them a moment
   * later; and a command's request may start work that goes on after its answer (a server build after
   * the 202). Poll until every answered call has its span and nothing new arrived for `quietMs`.
   */
  async collect(opts: CollectOptions = {}): Promise<{ spans: SpanRecord[]; missing: ClientCall[] }> {
    const { quietMs = 500, maxMs = 5000, firstSight = false } = opts;
    const deadline = Date.now() + maxMs;
    let spans: SpanRecord[] = [];
    let changed = Date.now();
    for (;;) {
      const next = this.read();
      if (next.length !== spans.length) changed = Date.now();
      spans = next;
      const missing = unansweredCalls(this.recorder.calls, spans);
      const quiet = Date.now() - changed >= quietMs;
      if ((missing.length === 0 && (firstSight || quiet)) || Date.now() >= deadline) return { spans, missing };
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  close(): void {
    this.reader?.close();
    this.reader = undefined;
  }
}
