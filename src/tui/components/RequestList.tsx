import { Box, Text } from "ink";
import Spinner from "ink-spinner";
import { useRef } from "react";
import { type RequestEntry, durationOf, isOpen, methodOf, pathOf, statusOf, userOf } from "../data/feed.js";
import { cell, shortDuration, windowStart } from "../data/text.js";
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

/** The request stream, newest first: only the visible window is drawn, so 10,000 rows cost as much as 20. */
export function RequestList({ entries, selected, width, height, now, focused }: RequestListProps) {
  const cols = listColumns(width);
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
        <RequestRow key={e.traceId} entry={e} cols={cols} now={now} selected={start.current + i === selected} focused={focused} />
      ))}
    </Box>
  );
}

interface RowProps {
  entry: RequestEntry;
  cols: ReturnType<typeof listColumns>;
  now: number;
  selected: boolean;
  focused: boolean;
}

export function RequestRow({ entry, cols, now, selected, focused }: RowProps) {
  const open = isOpen(entry, now);
  const status = statusOf(entry);
  const id = entry.requestId ? entry.requestId.slice(0, 12) : entry.traceId.slice(0, 12);
  const failed = entry.errors > 0 || (status !== null && status >= 500);
  return (
    <Box width={cols.mark + cols.id + cols.user + cols.method + cols.path + cols.status + cols.duration}>
      <Text color={theme.accent}>{open ? <Spinner type="dots" /> : selected ? "▌" : " "}</Text>
      <Text> </Text>
      <Text inverse={selected && focused} bold={selected} color={failed ? theme.error : undefined} wrap="truncate">
        {cell(id, cols.id)}
        {cols.user > 0 ? cell(userOf(entry)?.slice(0, 8) ?? "-", cols.user) : ""}
        {cell(methodOf(entry) ?? (entry.root ? "task" : "…"), cols.method)}
        {cell(pathOf(entry) ?? `(${entry.spans} spans so far)`, cols.path - 1)}{" "}
      </Text>
      <Text color={statusColor(status)}>{cell(status === null ? "" : String(status), cols.status)}</Text>
      <Text color={open ? theme.accent : undefined}>{cell(shortDuration(durationOf(entry)), cols.duration, true)}</Text>
    </Box>
  );
}
