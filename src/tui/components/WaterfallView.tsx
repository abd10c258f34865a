import { Box, Text } from "ink";
import { memo, useMemo, useRef } from "react";
import { type Waterfall, type WaterfallRow, barCells } from "../data/waterfall.js";
import { cell, shortDuration, windowStart } from "../data/text.js";
import { theme } from "../theme.js";

export interface WaterfallViewProps {
  model: Waterfall;
  selected: number;
  width: number;
  height: number;
  focused: boolean;
}

export function waterfallColumns(width: number) {
  const name = Math.max(16, Math.min(48, Math.floor(width * 0.42)));
  const service = width >= 90 ? 15 : 0;
  const duration = 8;
  const bar = Math.max(6, width - name - service - duration - 3);
  return { name, service, duration, bar };
}

/** The span tree on a time axis: one row per span, a bar where it ran, its duration; errors in red. */
export function WaterfallView({ model, selected, width, height, focused }: WaterfallViewProps) {
  const cols = useMemo(() => waterfallColumns(width), [width]);
  const rowsHeight = Math.max(1, height - 1);
  const start = useRef(0);
  start.current = windowStart(selected, model.rows.length, rowsHeight, start.current);
  const axis = `0${" ".repeat(Math.max(0, cols.bar - 1 - shortDuration(model.total).length))}${shortDuration(model.total)}`;
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text color={theme.muted} wrap="truncate">
        {" "}
        {cell("SPAN", cols.name)}
        {cols.service > 0 ? cell("SERVICE", cols.service) : ""} {cell(axis, cols.bar)} {cell("TIME", cols.duration, true)}
      </Text>
      {model.rows.slice(start.current, start.current + rowsHeight).map((r, i) => {
        const isSel = start.current + i === selected;
        return (
          <SpanRow
            key={`${r.span.trace_id}/${r.span.span_id}`}
            row={r}
            total={model.total}
            cols={cols}
            selected={isSel}
            focused={isSel && focused}
          />
        );
      })}
    </Box>
  );
}

interface SpanRowProps {
  row: WaterfallRow;
  total: number;
  cols: ReturnType<typeof waterfallColumns>;
  selected: boolean;
  focused: boolean;
}

/** One span as one <Text> (nested for colour): one node for ink to lay out and write per line. */
const SpanRow = memo(function SpanRow({ row, total, cols, selected, focused }: SpanRowProps) {
  const { span } = row;
  const { start: b, length } = barCells(span.offset_ms, span.duration_ms, total, cols.bar);
  const failed = span.error !== null;
  const color = failed ? theme.error : theme.kind[span.kind];
  return (
    <Text wrap="truncate">
      <Text color={theme.accent}>{selected ? "›" : " "}</Text>
      <Text inverse={focused} bold={selected} color={failed ? theme.error : undefined}>
        {cell(`${row.guide}${span.name}`, cols.name)}
      </Text>
      {cols.service > 0 ? <Text color={theme.muted}>{cell(span.service, cols.service)}</Text> : null}{" "}
      <Text color={theme.muted}>{"·".repeat(b)}</Text>
      <Text color={color}>{"█".repeat(length)}</Text>
      <Text color={theme.muted}>{"·".repeat(Math.max(0, cols.bar - b - length))}</Text>{" "}
      <Text color={failed ? theme.error : undefined}>{cell(shortDuration(span.duration_ms), cols.duration, true)}</Text>
    </Text>
  );
});
