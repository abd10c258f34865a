import type { SpanRecord } from "../../engine/common/trace/span.js";
import type { TraceSummaryRow, TraceSnapshot } from "../../engine/common/trace/watch-queries.js";
import { MemorySource, type TraceSource } from "../data/source.js";
import { CommandSpanReader, joinCommandTrace } from "./collect.js";
import type { CommandTraceRecorder } from "./recorder.js";

/**
 * The trace view's source for `--trace`: one trace, the command's, joined from the client's spans and
 * the stored ones; each poll reads the store again so spans of work still going on keep arriving.
 */
export class CommandTraceSource implements TraceSource {
  private readonly memory = new MemorySource();
  private readonly seen = new Set<string>();
  private readonly reader: CommandSpanReader;

  constructor(
    private readonly recorder: CommandTraceRecorder,
    file: string,
  ) {
    this.reader = new CommandSpanReader(file, recorder);
  }

  private refresh(): void {
    const joined = joinCommandTrace(this.recorder.clientSpans(), this.recorder.calls, this.reader.read());
    const fresh = joined.filter((s) => !this.seen.has(s.span_id));
    for (const s of fresh) this.seen.add(s.span_id);
    if (fresh.length > 0) this.memory.push(...fresh);
  }

  snapshot(limit: number): TraceSnapshot {
    this.refresh();
    return this.memory.snapshot(limit);
  }

  page(limit: number, before: number): TraceSummaryRow[] {
    return this.memory.page(limit, before);
  }

  since(cursor: number): { spans: SpanRecord[]; cursor: number } {
    this.refresh();
    return this.memory.since(cursor);
  }

  spansOf(traceId: string): SpanRecord[] {
    return this.memory.spansOf(traceId);
  }

  close(): void {
    this.reader.close();
  }
}
