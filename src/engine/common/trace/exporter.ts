import type { SpanSink } from "./tracer.js";

/**
 * Ships finished spans to the collector (PUSH socket to [trace] collector_url, batched).
 * PLACEHOLDER until the trace-collector work lands: returns a sink that drops spans.
 */
export function createSpanExporter(_collectorUrl: string): { sink: SpanSink; close(): Promise<void> } {
  return { sink: () => {}, close: async () => {} };
}
