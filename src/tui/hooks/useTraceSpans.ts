import { useMemo } from "react";
import type { SpanRecord } from "../../engine/common/trace/span.js";
import type { TraceFeed } from "../data/feed.js";
import type { TraceSource } from "../data/source.js";

/**
 * The full span list of the trace being looked at: held by the feed when the trace started while
 * watching, otherwise read from the store once (on selection, so the pane never flashes empty) and then
 * kept up to date by the feed's polling.
 */
export function useTraceSpans(feed: TraceFeed, source: TraceSource, traceId: string | undefined, version: number): SpanRecord[] {
  return useMemo(() => {
    void version; // recompute when the feed changed
    if (!traceId) return [];
    if (!feed.isHeld(traceId)) feed.hold(traceId, source.spansOf(traceId));
    return feed.spansOf(traceId) ?? [];
  }, [feed, source, traceId, version]);
}
