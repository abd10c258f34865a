import { Box, Text } from "ink";
import { useRef } from "react";
import type { SwimEvent, Swimlane } from "../data/lanes.js";
import { cell, clip, shortDuration, windowStart } from "../data/text.js";
import { theme } from "../theme.js";

export interface SwimlaneViewProps {
  model: Swimlane;
  selected: number;
  width: number;
  height: number;
  focused: boolean;
}

interface Segment {
  text: string;
  color?: string;
  dim?: boolean;
}

const TIME = 8;

/** Shorter lane titles when columns are narrow: "nova-conductor" → "conductor". */
export function laneTitle(lane: string, width: number): string {
  const full = lane.length <= width ? lane : lane.replace(/^nova-/, "");
  return clip(full, width);
}

/**
 * One event as a line of lane rails with the arrow drawn over them: `│ ──label──▶ │`. Built as cells,
 * then merged into coloured segments (few <Text> nodes per line keeps rendering cheap).
 */
export function drawEvent(ev: SwimEvent, lanes: number, laneWidth: number): Segment[] {
  const width = lanes * laneWidth;
  const cells: Array<{ ch: string; color?: string; dim?: boolean }> = Array.from({ length: width }, () => ({ ch: " " }));
  const center = (i: number) => i * laneWidth + Math.floor(laneWidth / 2);
  for (let i = 0; i < lanes; i++) {
    const c = cells[center(i)];
    if (c) Object.assign(c, { ch: "│", color: theme.muted, dim: true });
  }
  const color = ev.error ? theme.error : theme.hop[ev.kind];
  const put = (at: number, ch: string) => {
    const c = cells[at];
    if (c) Object.assign(c, { ch, color, dim: false });
  };
  const write = (at: number, text: string) => {
    for (const [i, ch] of [...text].entries()) put(at + i, ch);
  };
  if (ev.kind === "step") {
    const at = center(ev.to);
    put(at, "●");
    write(at + 2, clip(ev.label, Math.max(0, width - at - 2)));
  } else {
    const from = ev.from < 0 ? 0 : center(ev.from);
    const to = center(ev.to);
    const lo = Math.min(from, to);
    const hi = Math.max(from, to);
    const line = ev.kind === "reply" ? "┈" : "─";
    for (let x = lo + 1; x < hi; x++) put(x, line);
    if (to > from) put(to - 1, "▶");
    else put(to + 1, "◀");
    const room = hi - lo - 4;
    if (room >= 3) {
      const text = ` ${clip(ev.label, room - 2)} `;
      const begin = lo + 2 + Math.max(0, Math.floor((room - [...text].length) / 2));
      write(begin, text);
    } else {
      // No room between the lanes: write the label after the arrow's far end.
      write(hi + 1, clip(` ${ev.label}`, Math.max(0, width - hi - 1)));
    }
  }
  const segments: Segment[] = [];
  for (const c of cells) {
    const last = segments[segments.length - 1];
    if (last && last.color === c.color && last.dim === c.dim) last.text += c.ch;
    else segments.push({ text: c.ch, color: c.color, dim: c.dim });
  }
  return segments;
}

/** The request as a sequence diagram: a column per service, arrows for HTTP and RPC hops in time order. */
export function SwimlaneView({ model, selected, width, height, focused }: SwimlaneViewProps) {
  const lanes = Math.max(1, model.lanes.length);
  const laneWidth = Math.max(3, Math.floor((width - TIME) / lanes));
  const rowsHeight = Math.max(1, height - 1);
  const start = useRef(0);
  start.current = windowStart(selected, model.events.length, rowsHeight, start.current);
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text color={theme.muted} wrap="truncate">
        {cell("+ms", TIME)}
        {model.lanes.map((l) => {
          const title = laneTitle(l, laneWidth - 1);
          const pad = Math.max(0, Math.floor(laneWidth / 2) - Math.floor(title.length / 2));
          return cell(" ".repeat(pad) + title, laneWidth);
        })}
      </Text>
      {model.events.slice(start.current, start.current + rowsHeight).map((ev, i) => {
        const isSel = start.current + i === selected;
        return (
          <Box key={`${ev.span.span_id}:${ev.kind}`}>
            <Text inverse={isSel && focused} bold={isSel} color={isSel ? undefined : theme.muted}>
              {isSel ? "›" : " "}
              {cell(shortDuration(ev.at), TIME - 2, true)}{" "}
            </Text>
            <Text wrap="truncate">
              {drawEvent(ev, lanes, laneWidth).map((s, j) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: segments have no identity beyond their place
                <Text key={j} color={s.color} dimColor={s.dim} bold={isSel && !s.dim}>
                  {s.text}
                </Text>
              ))}
            </Text>
          </Box>
        );
      })}
    </Box>
  );
}
