import { Box, Text } from "ink";
import Spinner from "ink-spinner";
import { memo, useMemo, useRef } from "react";
import { type RequestEntry, durationOf, isOpen, methodOf, pathOf, statusOf, userOf } from "../data/feed.js";
import { cell, clip, shortDuration, windowStart } from "../data/text.js";
import { statusColor, theme } from "../theme.js";

export interface RequestListProps {
  entries: RequestEntry[];
  selected: number;
  width: number;
  height: number;
  now: number;
  focused: boolean;
}

/** Column widths for a list `width` cells wide; the user column goes first when space is short. */
export function listColumns(width: number) {
  const fixed = { mark: 2, id: 13, method: 7, status: 4, duration: 8 };
  const user = width >= 70 ? 9 : 0;
  const path = Math.max(4, width - fixed.mark - fixed.id - fixed.method - fixed.status - fixed.duration - user);
  return { ...fixed, user, path };
}

/**
 * The request stream, newest first: only the visible window is drawn, so 10,000 rows cost as much as 20.
 * Rows are memoised on what they show, so moving the selection re-renders two rows, not the window.
 */
export function RequestList({ entries, selected, width, height, now, focused }: RequestListProps) {
  const cols = useMemo(() => listColumns(width), [width]);
  const rowsHeight = Math.max(1, height - 1);
  const start = useRef(0);
  start.current = windowStart(selected, entries.length, rowsHeight, start.current);
  const visible = entries.slice(start.current, start.current + rowsHeight);
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text color={theme.muted} wrap="truncate">
        {cell("", cols.mark)}
        {cell("REQUEST", cols.id)}
        {cols.user > 0 ? cell("USER", cols.user) : ""}
        {cell("METHOD", cols.method)}
        {cell("PATH", cols.path)}
        {cell("ST", cols.status)}
        {cell("TIME", cols.duration, true)}
      </Text>
      {entries.length === 0 ? <Text color={theme.muted}>Waiting for requests… (run an `os` command against the cloud)</Text> : null}
      {visible.map((e, i) => (
        <RequestRow
          key={e.traceId}
          entry={e}
          cols={cols}
          open={isOpen(e, now)}
          selected={start.current + i === selected}
          focused={focused}
          stamp={stampOf(e)}
        />
      ))}
    </Box>
  );
}

interface RowProps {
  entry: RequestEntry;
  cols: ReturnType<typeof listColumns>;
  open: boolean;
  selected: boolean;
  focused: boolean;
  /** What the row shows of the entry, which the feed updates in place (see stampOf). */
  stamp: string;
}

/**
 * One request, in three nodes (few nodes: cheap layout) with the path's padding left to a box of fixed
 * width: ink tokenises every written character each frame, and the path column is mostly padding.
 */
export const RequestRow = memo(function RequestRow({ entry, cols, open, selected, focused }: RowProps) {
  const status = statusOf(entry);
  const id = entry.requestId ? entry.requestId.slice(0, 12) : entry.traceId.slice(0, 12);
  const failed = entry.errors > 0 || (status !== null && status >= 500);
  return (
    <Box>
      <Text wrap="truncate">
        <Text color={theme.accent}>{open ? <Spinner type="dots" /> : selected ? "▌" : " "}</Text>{" "}
        <Text inverse={selected && focused} bold={selected} color={failed ? theme.error : undefined}>
          {cell(id, cols.id)}
          {cols.user > 0 ? cell(userOf(entry)?.slice(0, 8) ?? "-", cols.user) : ""}
          {cell(methodOf(entry) ?? (entry.root ? "task" : "…"), cols.method)}
        </Text>
      </Text>
      <Box width={cols.path} flexShrink={0}>
        <Text wrap="truncate" inverse={selected && focused} bold={selected} color={failed ? theme.error : undefined}>
          {/* the highlighted row is padded, so its bar has no hole */}
          {(selected && focused ? cell : clip)(pathOf(entry) ?? `(${entry.spans} spans so far)`, cols.path - 1)}
          {selected && focused ? " " : ""}
        </Text>
      </Box>
      <Text wrap="truncate">
        <Text color={statusColor(status)}>{cell(status === null ? "" : String(status), cols.status)}</Text>
        <Text color={open ? theme.accent : undefined}>{cell(shortDuration(durationOf(entry)), cols.duration, true)}</Text>
      </Text>
    </Box>
  );
}, sameRow);

function sameRow(a: RowProps, b: RowProps): boolean {
  return (
    a.entry === b.entry &&
    a.cols === b.cols &&
    a.open === b.open &&
    a.selected === b.selected &&
    a.focused === b.focused &&
    a.stamp === b.stamp
  );
}

/** Changes whenever a shown field of the entry does: the feed mutates entries as their spans arrive. */
const stampOf = (e: RequestEntry) => `${e.spans}/${e.errors}/${e.lastEnd}/${e.requestId}/${e.root?.span_id}/${e.root?.end}`;
