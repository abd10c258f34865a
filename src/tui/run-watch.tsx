import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { render } from "ink";
import type { SpanRecord } from "../engine/common/trace/span.js";
import { TraceWatchApp } from "./components/TraceWatchApp.js";
import type { RequestEntry } from "./data/feed.js";
import type { TraceSource } from "./data/source.js";
import { EXPORT_FORMATS, exportTrace } from "./export/index.js";

/** Write the trace in every export format next to each other; returns the line the footer shows. */
export function exportToDir(dir: string, entry: RequestEntry, spans: SpanRecord[]): string {
  mkdirSync(dir, { recursive: true });
  const base = join(dir, `trace-${entry.traceId}`);
  for (const f of EXPORT_FORMATS) {
    const { text, extension } = exportTrace(spans, f);
    writeFileSync(`${base}.${extension}`, text);
  }
  return `Exported ${spans.length} spans to ${base}.{html,otlp.json,chrome.json}`;
}

/**
 * The interactive `os trace watch`: full screen (the terminal's alternate screen, restored on exit),
 * until `q` or Ctrl+C.
 */
export async function runTraceWatch(
  source: TraceSource,
  opts: { intervalMs: number; limit: number; exportDir: string; title?: string; initialFocus?: "list" | "trace" },
): Promise<void> {
  const out = process.stdout;
  out.write("\u001B[?1049h\u001B[H");
  try {
    const app = render(
      <TraceWatchApp
        source={source}
        intervalMs={opts.intervalMs}
        limit={opts.limit}
        onExport={(entry, spans) => exportToDir(opts.exportDir, entry, spans)}
        title={opts.title}
        initialFocus={opts.initialFocus}
      />,
      // Not ink's incrementalRendering: in 6.8 it lands one line low after the first update (seen in tmux)
      // and leaves stale lines. The default redraw is wrapped in synchronized-output escapes, so the
      // terminals that support them (most) show each frame whole, without flicker.
      { exitOnCtrlC: true, patchConsole: true },
    );
    await app.waitUntilExit();
  } finally {
    out.write("\u001B[?1049l");
  }
}
