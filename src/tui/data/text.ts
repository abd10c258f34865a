/** Cell-width helpers for fixed-width terminal columns (span names and paths are ASCII in practice). */

const SURROGATE = /[\uD800-\uDFFF]/;

/** Cut `text` to `width` cells, marking the cut with "…". */
export function clip(text: string, width: number): string {
  if (width <= 0) return "";
  // Fast path (every frame pads hundreds of cells): a string no longer in UTF-16 units than `width` fits.
  if (text.length <= width) return text;
  const chars = [...text];
  if (chars.length <= width) return text;
  return width === 1 ? "…" : `${chars.slice(0, width - 1).join("")}…`;
}

/** Fit and pad to exactly `width` cells (right-aligned when asked). */
export function cell(text: string, width: number, right = false): string {
  const t = clip(text, width);
  const fill = " ".repeat(Math.max(0, width - (SURROGATE.test(t) ? [...t].length : t.length)));
  return right ? fill + t : t + fill;
}

/** Compact durations for narrow columns: "850µs", "12.3ms", "1.23s", "2m05s". */
export function shortDuration(ms: number): string {
  if (ms === 0) return "0ms";
  if (ms < 1) return `${Math.round(ms * 1000)}µs`;
  if (ms < 1000) return `${ms < 100 ? ms.toFixed(1) : Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)}s`;
  const m = Math.floor(ms / 60_000);
  return `${m}m${String(Math.round((ms % 60_000) / 1000)).padStart(2, "0")}s`;
}

/** Greedy word wrap to `width` cells, at most `maxLines` lines (the last one cut with "…"). */
export function wrap(text: string, width: number, maxLines = Number.POSITIVE_INFINITY): string[] {
  if (width <= 0) return [];
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    for (let w = word; w.length > 0; ) {
      const room = line === "" ? width : width - line.length - 1;
      if (w.length <= room) {
        line = line === "" ? w : `${line} ${w}`;
        w = "";
      } else if (line === "") {
        lines.push(w.slice(0, width));
        w = w.slice(width);
      } else {
        lines.push(line);
        line = "";
      }
    }
  }
  if (line !== "") lines.push(line);
  if (lines.length > maxLines) {
    const kept = lines.slice(0, maxLines);
    kept[maxLines - 1] = clip(`${kept[maxLines - 1]} …`, width);
    return kept;
  }
  return lines;
}

/** The first index of a `height`-row window that keeps `selected` in view, scrolling as little as possible. */
export function windowStart(selected: number, total: number, height: number, previous = 0): number {
  if (total <= height) return 0;
  let start = Math.min(previous, total - height);
  if (selected < start) start = selected;
  if (selected >= start + height) start = selected - height + 1;
  return Math.max(0, start);
}
