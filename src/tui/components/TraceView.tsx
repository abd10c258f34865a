import { Box, Text } from "ink";
import type { SpanRecord } from "../../engine/common/trace/span.js";
import { type RequestEntry, durationOf, methodOf, pathOf, statusOf } from "../data/feed.js";
import type { Swimlane } from "../data/lanes.js";
import { clip, shortDuration } from "../data/text.js";
import type { Waterfall } from "../data/waterfall.js";
import { statusColor, theme } from "../theme.js";
import { SpanDetail } from "./SpanDetail.js";
import { SwimlaneView } from "./SwimlaneView.js";
import { WaterfallView } from "./WaterfallView.js";

export const VIEWS = ["waterfall", "swimlane", "detail"] as const;
export type ViewName = (typeof VIEWS)[number];

export interface TraceViewProps {
  entry: RequestEntry | undefined;
  waterfall: Waterfall;
  swimlane: Swimlane;
  view: ViewName;
  selected: number;
  selectedSpan: SpanRecord | undefined;
  width: number;
  height: number;
  focused: boolean;
}

/** Below this many body rows the detail pane gets its own tab instead of sharing the screen. */
const SPLIT_MIN_ROWS = 22;

/** The right-hand pane: the selected request's title line, view tabs, the view, and (when tall) the detail. */
export function TraceView({ entry, waterfall, swimlane, view, selected, selectedSpan, width, height, focused }: TraceViewProps) {
  if (!entry) {
    return (
      <Box width={width} height={height}>
        <Text color={theme.muted}>No request selected.</Text>
      </Box>
    );
  }
  const status = statusOf(entry);
  const body = Math.max(1, height - 2);
  const split = view !== "detail" && body >= SPLIT_MIN_ROWS;
  const detailHeight = split ? Math.min(14, Math.floor(body * 0.4)) : 0;
  const viewHeight = split ? body - detailHeight - 1 : body;
  const traceStart = waterfall.rows[0]?.span.start ?? entry.start;
  const title = `${methodOf(entry) ?? ""} ${pathOf(entry) ?? "(request still open)"}`.trim();
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text wrap="truncate">
        <Text bold>{clip(title, Math.max(10, width - 36))}</Text>
        {/* no status: still open, or a root that is not an HTTP request (a task, a CLI command) */}
        <Text color={statusColor(status)}> {status ?? (entry.root ? "" : "…")}</Text>
        <Text color={theme.muted}>
          {"  "}
          {shortDuration(durationOf(entry))} · {waterfall.rows.length} spans · {entry.requestId ?? entry.traceId}
        </Text>
      </Text>
      <Text wrap="truncate">
        {VIEWS.map((v) => (
          <Text key={v} inverse={v === view} color={v === view ? theme.accent : theme.muted}>
            {` ${v[0]?.toUpperCase()}${v.slice(1)} `}
          </Text>
        ))}
        <Text color={theme.muted}> (Tab)</Text>
      </Text>
      {view === "waterfall" ? (
        <WaterfallView model={waterfall} selected={selected} width={width} height={viewHeight} focused={focused} />
      ) : null}
      {view === "swimlane" ? (
        <SwimlaneView model={swimlane} selected={selected} width={width} height={viewHeight} focused={focused} />
      ) : null}
      {view === "detail" ? <SpanDetail span={selectedSpan} traceStart={traceStart} width={width} height={viewHeight} /> : null}
      {split ? (
        <>
          <Text color={theme.muted}>{"─".repeat(width)}</Text>
          <SpanDetail span={selectedSpan} traceStart={traceStart} width={width} height={detailHeight} />
        </>
      ) : null}
    </Box>
  );
}
