import { Box, Text } from "ink";
import { useRef } from "react";
import { type Waterfall, barCells } from "../data/waterfall.js";
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
  const cols = waterfallColumns(width);
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
        const index = start.current + i;
        const isSel = index === selected;
        const { start: b, length } = barCells(r.span.offset_ms, r.span.duration_ms, model.total, cols.bar);
        const failed = r.span.error !== null;
        const color = failed ? theme.error : theme.kind[r.span.kind];
        return (
          <Box key={`${r.span.trace_id}/${r.span.span_id}`}>
            <Text color={theme.accent}>{isSel ? "›" : " "}</Text>
            <Text inverse={isSel && focused} bold={isSel} color={failed ? theme.error : undefined} wrap="truncate">
              {cell(`${r.guide}${r.span.name}`, cols.name)}
            </Text>
            {cols.service > 0 ? <Text color={theme.muted}>{cell(r.span.service, cols.service)}</Text> : null}
            <Text> </Text>
            <Text color={theme.muted}>{"·".repeat(b)}</Text>
            <Text color={color}>{"█".repeat(length)}</Text>
            <Text color={theme.muted}>{"·".repeat(Math.max(0, cols.bar - b - length))}</Text>
            <Text> </Text>
            <Text color={failed ? theme.error : undefined}>{cell(shortDuration(r.span.duration_ms), cols.duration, true)}</Text>
          </Box>
        );
      })}
    </Box>
  );
}
