import { useEffect, useRef, useState } from "react";
import { TraceFeed, isOpen } from "../data/feed.js";
import type { TraceSource } from "../data/source.js";

/** Traces read before the first frame, then per background step. */
const FIRST_PAGE = 200;
const PAGE = 1000;

export interface TraceFeedState {
  feed: TraceFeed;
  /** Changes whenever the feed does (use it as a memo key). */
  version: number;
  /** The clock the spinners and "open" states are judged by. */
  now: number;
  error: string | null;
}

/**
 * Reads the snapshot once (synchronously, so the first frame already has the list), then polls the
 * source for new spans every `intervalMs` unless paused. A poll that finds nothing changes no state,
 * so an idle watcher does not re-render.
 */
export function useTraceFeed(source: TraceSource, opts: { intervalMs?: number; paused?: boolean; limit?: number } = {}): TraceFeedState {
  const { intervalMs = 250, paused = false, limit = 10_000 } = opts;
  const cursor = useRef(0);
  const [feed] = useState(() => {
    const f = new TraceFeed(limit);
    const snap = source.snapshot(Math.min(limit, FIRST_PAGE));
    f.loadSnapshot(snap.summaries);
    cursor.current = snap.cursor;
    return f;
  });
  const [version, setVersion] = useState(feed.version);
  const [now, setNow] = useState(() => Date.now());
  const [error, setError] = useState<string | null>(null);

  // The rest of the list, older pages in the background, so a large store opens as fast as a small one.
  useEffect(() => {
    let timer: NodeJS.Timeout | undefined;
    const more = () => {
      if (feed.size >= limit) return;
      try {
        const rows = source.page(Math.min(PAGE, limit - feed.size), feed.oldestStart());
        if (rows.length === 0) return;
        feed.loadSnapshot(rows);
        setVersion(feed.version);
        timer = setTimeout(more, 0);
      } catch (err) {
        setError((err as Error).message);
      }
    };
    timer = setTimeout(more, 0);
    return () => clearTimeout(timer);
  }, [source, feed, limit]);

  useEffect(() => {
    if (paused) return;
    const tick = () => {
      const t = Date.now();
      try {
        const { spans, cursor: next } = source.since(cursor.current);
        cursor.current = next;
        if (spans.length > 0) {
          feed.apply(spans, t);
          setVersion(feed.version);
          setNow(t);
        } else if (
          feed
            .requests()
            .slice(0, 200)
            .some((e) => isOpen(e, t) || (e.lastArrival > 0 && t - e.lastArrival < 3000))
        ) {
          setNow(t); // let open requests settle into closed ones
        }
        setError(null);
      } catch (err) {
        setError((err as Error).message);
      }
    };
    tick();
    const timer = setInterval(tick, intervalMs);
    return () => clearInterval(timer);
  }, [source, feed, paused, intervalMs]);

  return { feed, version, now, error };
}
