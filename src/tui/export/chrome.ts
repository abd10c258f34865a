import type { SpanRecord } from "../../engine/common/trace/span.js";

/**
 * Chrome trace-event JSON (the format chrome://tracing and Perfetto open): one complete event
 * (`ph: "X"`, ts/dur in microseconds) per span, pid = the service's process, and metadata events
 * naming processes and threads. Complete events on one thread must nest, but a Node process runs
 * overlapping async work, so spans are spread over as many "threads" (tracks) as needed to nest.
 */
export interface TraceEvent {
  name: string;
  ph: "X" | "M";
  pid: number;
  tid: number;
  ts?: number;
  dur?: number;
  cat?: string;
  args?: Record<string, unknown>;
}

export interface ChromeTrace {
  traceEvents: TraceEvent[];
  displayTimeUnit: "ms";
  otherData: Record<string, string>;
}

const us = (ms: number) => Math.round(ms * 1000);

export function toChromeTrace(spans: SpanRecord[]): ChromeTrace {
  const events: TraceEvent[] = [];
  const tracks = new Map<number, number[][]>(); // pid → per track, a stack of open end times
  const named = new Set<string>();
  const sorted = [...spans].sort((a, b) => a.start - b.start || b.end - a.end);
  for (const s of sorted) {
    const ts = us(s.start);
    const end = us(s.end);
    const stacks = tracks.get(s.pid) ?? [];
    tracks.set(s.pid, stacks);
    let tid = stacks.findIndex((stack) => {
      while (stack.length > 0 && (stack[stack.length - 1] as number) <= ts) stack.pop();
      return stack.length === 0 || end <= (stack[stack.length - 1] as number);
    });
    if (tid < 0) {
      stacks.push([]);
      tid = stacks.length - 1;
    }
    stacks[tid]?.push(end);
    if (!named.has(`${s.pid}`)) {
      named.add(`${s.pid}`);
      events.push({ name: "process_name", ph: "M", pid: s.pid, tid: 0, args: { name: `${s.service}@${s.host}` } });
    }
    if (!named.has(`${s.pid}/${tid}`)) {
      named.add(`${s.pid}/${tid}`);
      events.push({
        name: "thread_name",
        ph: "M",
        pid: s.pid,
        tid: tid + 1,
        args: { name: tid === 0 ? s.service : `${s.service} (async ${tid})` },
      });
    }
    events.push({
      name: s.name,
      cat: s.kind,
      ph: "X",
      ts,
      dur: Math.max(0, end - ts),
      pid: s.pid,
      tid: tid + 1,
      args: { ...s.attributes, span_id: s.span_id, parent_id: s.parent_id, trace_id: s.trace_id, ...(s.error ? { error: s.error } : {}) },
    });
  }
  return { traceEvents: events, displayTimeUnit: "ms", otherData: { generator: "pocketstack os trace export" } };
}
