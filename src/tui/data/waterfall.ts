import type { SpanRecord } from "../../engine/common/trace/span.js";
import { type SpanNode, buildSpanForest } from "../../engine/common/trace/tree.js";

/** One line of the waterfall: a span in tree order, with its depth and place on the time axis. */
export interface WaterfallRow {
  span: SpanNode;
  depth: number;
  /** Tree guides drawn before the name ("│  ├─ "). */
  guide: string;
}

export interface Waterfall {
  rows: WaterfallRow[];
  /** Milliseconds from the first span's start to the last span's end. */
  total: number;
}

export function buildWaterfall(spans: SpanRecord[]): Waterfall {
  const forest = buildSpanForest(spans);
  const rows: WaterfallRow[] = [];
  const walk = (node: SpanNode, depth: number, lead: string, last: boolean, top: boolean) => {
    rows.push({ span: node, depth, guide: top ? "" : `${lead}${last ? "└─" : "├─"}` });
    const childLead = top ? "" : `${lead}${last ? "  " : "│ "}`;
    for (const [i, c] of node.children.entries()) walk(c, depth + 1, childLead, i === node.children.length - 1, false);
  };
  for (const root of forest) walk(root, 0, "", true, true);
  const total = rows.reduce((m, r) => Math.max(m, r.span.offset_ms + r.span.duration_ms), 0);
  return { rows, total };
}

/**
 * Where a span's bar goes on an axis `width` cells wide: start cell and length (at least one cell, so a
 * 0.1 ms span is still visible).
 */
export function barCells(offset: number, duration: number, total: number, width: number): { start: number; length: number } {
  if (width <= 0) return { start: 0, length: 0 };
  if (total <= 0) return { start: 0, length: 1 };
  const start = Math.min(width - 1, Math.floor((offset / total) * width));
  const end = Math.min(width, Math.max(start + 1, Math.round(((offset + duration) / total) * width)));
  return { start, length: end - start };
}
