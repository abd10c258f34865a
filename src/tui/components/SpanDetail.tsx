import { Box, Text } from "ink";
import type { SpanRecord } from "../../engine/common/trace/span.js";
import { explain } from "../data/explain.js";
import { cell, shortDuration, wrap } from "../data/text.js";
import { theme } from "../theme.js";

export interface SpanDetailProps {
  span: SpanRecord | undefined;
  /** Start of the trace (epoch ms), for the span's offset. */
  traceStart: number;
  width: number;
  height: number;
}

function show(v: unknown): string {
  if (v === null || v === undefined) return "-";
  if (typeof v === "string") return v;
  return JSON.stringify(v);
}

interface Line {
  k: string;
  v: string;
  color?: string;
}

/**
 * The lines of the detail pane, wrapped to `width`: where the span ran, what it was, what it means
 * (explain mode), then its attributes (long values such as a QEMU command line wrap over a few lines).
 */
export function detailLines(span: SpanRecord, traceStart: number, width: number): { keyWidth: number; lines: Line[] } {
  const keys = Object.keys(span.attributes);
  const keyWidth = Math.min(width >= 70 ? 22 : 14, Math.max(8, ...keys.map((k) => k.length)));
  const text = Math.max(8, width - keyWidth - 1);
  const lines: Line[] = [];
  const add = (k: string, v: string, color?: string, maxLines = 1) => {
    for (const [i, part] of wrap(v, text, maxLines).entries()) lines.push({ k: i === 0 ? k : "", v: part, color });
  };
  add("Span", span.name, span.error ? theme.error : theme.accent, 2);
  add("Service", `${span.service}   host ${span.host}   pid ${span.pid}`);
  add("Kind", `${span.kind}   at +${shortDuration(span.start - traceStart)}   took ${shortDuration(span.end - span.start)}`);
  if (span.error) add("Error", span.error, theme.error, 3);
  const about = explain(span);
  if (about) add("Explain", about, theme.ok, 4);
  for (const k of keys) add(k, show(span.attributes[k]), undefined, 4);
  return { keyWidth, lines };
}

/** Everything about one span: where it ran, what it was, its attributes, and what it means. */
export function SpanDetail({ span, traceStart, width, height }: SpanDetailProps) {
  if (!span) {
    return (
      <Box width={width} height={height}>
        <Text color={theme.muted}>No span selected.</Text>
      </Box>
    );
  }
  const { keyWidth, lines } = detailLines(span, traceStart, width);
  const cut = lines.length > height;
  const shown = cut ? lines.slice(0, Math.max(0, height - 1)) : lines;
  return (
    <Box flexDirection="column" width={width} height={height}>
      {shown.map((l, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: wrapped lines have no identity beyond their place
        <Text key={i} wrap="truncate">
          <Text color={theme.muted}>{cell(l.k, keyWidth)} </Text>
          <Text color={l.color}>{l.v}</Text>
        </Text>
      ))}
      {cut ? <Text color={theme.muted}>… {lines.length - shown.length} more lines (enlarge the terminal or export)</Text> : null}
    </Box>
  );
}
