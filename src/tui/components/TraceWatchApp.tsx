import { Box, useApp, useInput } from "ink";
import { useMemo, useRef, useState } from "react";
import type { SpanRecord } from "../../engine/common/trace/span.js";
import type { RequestEntry } from "../data/feed.js";
import { parseFilter } from "../data/filter.js";
import type { TraceSource } from "../data/source.js";
import { useSyncedState } from "../hooks/useSyncedState.js";
import { type TerminalSize, useTerminalSize } from "../hooks/useTerminalSize.js";
import { useTraceFeed } from "../hooks/useTraceFeed.js";
import { useTraceModels } from "../hooks/useTraceModels.js";
import { useTraceSpans } from "../hooks/useTraceSpans.js";
import { RequestList } from "./RequestList.js";
import { Footer, Header } from "./StatusBar.js";
import { TraceView, VIEWS, type ViewName } from "./TraceView.js";

export interface TraceWatchAppProps {
  source: TraceSource;
  /** Draw at this size instead of the terminal's (tests, bench). */
  size?: TerminalSize;
  intervalMs?: number;
  limit?: number;
  /** `e`: write the selected trace somewhere; returns the message to show. */
  onExport?: (entry: RequestEntry, spans: SpanRecord[]) => string | Promise<string>;
  /** The header's name for what is watched (`os server create --trace`); default "pocketstack trace watch". */
  title?: string;
  /** Start on the trace pane (a single command's trace) instead of the request list. */
  initialFocus?: "list" | "trace";
}

/** From this width on, the list and the trace sit side by side; below it, one at a time. */
export const WIDE = 110;

export function TraceWatchApp({ source, size, intervalMs, limit, onExport, title, initialFocus = "list" }: TraceWatchAppProps) {
  const { exit } = useApp();
  const { columns, rows } = useTerminalSize(size);
  const [paused, setPaused] = useSyncedState(false);
  const { feed, version, now, error } = useTraceFeed(source, { intervalMs, paused, limit });
  const [filter, setFilter, filterRef] = useSyncedState("");
  const [editing, setEditing, editingRef] = useSyncedState(false);
  const [draft, setDraft, draftRef] = useSyncedState("");
  const [focus, setFocus, focusRef] = useSyncedState<"list" | "trace">(initialFocus);
  const [view, setView, viewRef] = useSyncedState<ViewName>("waterfall");
  const [picked, setPicked] = useSyncedState<string | null>(null); // null: follow the newest request
  const [rowSel, setRowSel] = useSyncedState({ waterfall: 0, swimlane: 0 });
  const [message, setMessage] = useState<string | null>(null);

  const entries = useMemo(() => {
    void version;
    const all = feed.requests();
    return filter ? all.filter(parseFilter(filter)) : all;
  }, [feed, version, filter]);
  const found = picked ? entries.findIndex((e) => e.traceId === picked) : 0;
  const index = Math.max(0, found);
  const entry = entries[index];
  // What the key handler moves from: this frame's list, or a selection made since by keys not yet drawn.
  const nav = useRef({ entries, index });
  if (nav.current.entries !== entries || !picked) nav.current = { entries, index };
  const spans = useTraceSpans(feed, source, entry?.traceId, version);
  const { waterfall, swimlane } = useTraceModels(spans);
  const spanRows = view === "swimlane" ? swimlane.events.length : waterfall.rows.length;
  const sel = Math.min(view === "swimlane" ? rowSel.swimlane : rowSel.waterfall, Math.max(0, spanRows - 1));
  const spanCounts = useRef({ waterfall: 0, swimlane: 0 });
  spanCounts.current = { waterfall: waterfall.rows.length, swimlane: swimlane.events.length };
  const selectedSpan =
    view === "swimlane" ? swimlane.events[sel]?.span : waterfall.rows[Math.min(rowSel.waterfall, waterfall.rows.length - 1)]?.span;

  // One row less than the terminal: a frame as tall as the screen makes ink clear it on every update.
  const height = Math.max(6, rows - 1);
  const width = Math.max(40, columns);
  const wide = width >= WIDE;
  const body = height - 2;
  const listWidth = wide ? Math.max(44, Math.min(64, Math.floor(width * 0.42))) : width;
  const traceWidth = wide ? width - listWidth - 1 : width;

  const pick = (delta: number) => {
    const list = nav.current.entries;
    const i = Math.max(0, Math.min(list.length - 1, nav.current.index + delta));
    const e = list[i];
    if (!e) return;
    nav.current = { entries: list, index: i };
    setPicked(e.traceId);
    setRowSel({ waterfall: 0, swimlane: 0 });
  };
  const moveSpan = (delta: number) => {
    const key = viewRef.current === "swimlane" ? "swimlane" : "waterfall";
    const last = Math.max(0, spanCounts.current[key] - 1);
    setRowSel((s) => ({ ...s, [key]: Math.max(0, Math.min(last, s[key] + delta)) }));
  };
  const move = (delta: number) => (focusRef.current === "list" ? pick(delta) : moveSpan(delta));

  useInput((input, key) => {
    if (editingRef.current) {
      if (key.return) {
        setFilter(draftRef.current.trim());
        setEditing(false);
        setPicked(null);
      } else if (key.escape) setEditing(false);
      else if (key.backspace || key.delete) setDraft((d) => d.slice(0, -1));
      else if (input && !key.ctrl && !key.meta) setDraft((d) => d + input);
      return;
    }
    if (input === "q") {
      exit();
      return;
    }
    if (input === "/") {
      setDraft(filterRef.current);
      setEditing(true);
    } else if (input.startsWith("/") && !key.ctrl && !key.meta) {
      // "/" and what follows in one read (pasted, or typed faster than a frame): start the filter with it.
      setDraft(input.slice(1).replace(/[\r\n]+$/, ""));
      setEditing(true);
    } else if (input === "p") setPaused((p) => !p);
    else if (input === "e") {
      if (!entry || !onExport) setMessage(entry ? "Export is not available here." : "No request selected to export.");
      else
        Promise.resolve(onExport(entry, spans)).then(
          (m) => setMessage(m),
          (err: Error) => setMessage(`Export failed: ${err.message}`),
        );
    } else if (key.tab) {
      const i = VIEWS.indexOf(viewRef.current);
      setView(VIEWS[(i + (key.shift ? VIEWS.length - 1 : 1)) % VIEWS.length] as ViewName);
    } else if (key.return) setFocus("trace");
    else if (key.escape || key.leftArrow) {
      if (focusRef.current === "trace") setFocus("list");
      else if (filterRef.current) {
        setFilter("");
        setPicked(null);
      }
    } else if (key.rightArrow) setFocus("trace");
    else if (key.upArrow || input === "k") move(-1);
    else if (key.downArrow || input === "j") move(1);
    else if (key.pageUp) move(-(body - 2));
    else if (key.pageDown) move(body - 2);
    else if (input === "g") move(-1e9);
    else if (input === "G") move(1e9);
    if (input !== "e" && message) setMessage(null);
  });

  const list = <RequestList entries={entries} selected={index} width={listWidth} height={body} now={now} focused={focus === "list"} />;
  const trace = (
    <TraceView
      entry={entry}
      waterfall={waterfall}
      swimlane={swimlane}
      view={view}
      selected={sel}
      selectedSpan={selectedSpan}
      width={traceWidth}
      height={body}
      focused={focus === "trace"}
    />
  );
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Header title={title} total={feed.size} shown={entries.length} paused={paused} filter={filter} error={error} width={width} />
      <Box height={body}>
        {wide ? (
          <>
            {list}
            <Box borderStyle="single" borderTop={false} borderRight={false} borderBottom={false} borderDimColor width={1} height={body} />
            {trace}
          </>
        ) : focus === "list" ? (
          list
        ) : (
          trace
        )}
      </Box>
      <Footer editing={editing} draft={draft} message={message} width={width} />
    </Box>
  );
}
