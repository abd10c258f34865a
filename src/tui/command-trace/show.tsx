import { Box, Text, renderToString } from "ink";
import { layout, stateDir } from "../../engine/common/paths.js";
import type { SpanRecord } from "../../engine/common/trace/span.js";
import { buildSpanForest, renderSpanForest } from "../../engine/common/trace/tree.js";
import { WaterfallView } from "../components/WaterfallView.js";
import { shortDuration } from "../data/text.js";
import { buildWaterfall } from "../data/waterfall.js";
import { theme } from "../theme.js";
import { CommandSpanReader, joinCommandTrace } from "./collect.js";
import type { CommandTraceRecorder, TraceMode } from "./recorder.js";
import { CommandTraceSource } from "./source.js";

export interface ShowOptions {
  mode: TraceMode;
  /** The local cloud's state dir (--state-dir), where the trace store is. */
  stateDir?: string;
  /** Where the text and the one-frame waterfall go (stderr: stdout stays the command's own output). */
  out?: NodeJS.WriteStream;
  /** Overrides for tests: how long to wait for spans. */
  quietMs?: number;
  maxMs?: number;
}

const inCi = () => Boolean(process.env.CI) && process.env.CI !== "false" && process.env.CI !== "0";

/**
 * After a command run with `--trace`: find the spans of its requests and show them — the live trace view
 * in a terminal, else one frame of the waterfall; `--trace=text` prints the span tree.
 */
export async function showCommandTrace(recorder: CommandTraceRecorder, opts: ShowOptions): Promise<void> {
  const out = opts.out ?? process.stderr;
  if (recorder.calls.length === 0) {
    out.write("--trace: this command made no API requests, so there is no trace to show.\n");
    return;
  }
  const file = layout(stateDir(opts.stateDir)).db("trace");
  const reader = new CommandSpanReader(file, recorder);
  const interactive = opts.mode === "tui" && process.stdout.isTTY === true && process.stdin.isTTY === true && !inCi();
  try {
    const { spans, missing } = await reader.collect({ quietMs: opts.quietMs, maxMs: opts.maxMs, firstSight: interactive });
    if (spans.length === 0) {
      out.write(
        `--trace: no spans with request id ${recorder.globalRequestId} reached the trace store at ${file} ` +
          "(is this the local cloud, and is its trace-collector running?).\n",
      );
      return;
    }
    if (interactive) {
      reader.close();
      await openLiveView(recorder, file);
      out.write(`Request ID ${recorder.globalRequestId}: \`os trace show ${recorder.globalRequestId}\` prints it again.\n`);
      return;
    }
    const all = joinCommandTrace(recorder.clientSpans(), recorder.calls, spans);
    if (opts.mode === "text") out.write(`${renderSpanForest(buildSpanForest(all))}\n`);
    else out.write(`${commandTraceFrame(all, recorder, widthOf(out))}\n`);
    if (missing.length > 0)
      out.write(
        `(${missing.length} request${missing.length === 1 ? "" : "s"} without spans yet: ${missing.map((c) => c.requestId).join(", ")})\n`,
      );
  } finally {
    reader.close();
  }
}

function widthOf(out: NodeJS.WriteStream): number {
  const cols = out.columns || Number(process.env.COLUMNS) || 120;
  return Math.max(60, Math.min(240, cols));
}

/** One frame of the waterfall, for logs: a title line, then every span on the command's time axis. */
export function commandTraceFrame(spans: SpanRecord[], recorder: CommandTraceRecorder, width: number): string {
  const model = buildWaterfall(spans);
  const title = `os ${recorder.command}  ${shortDuration(model.total)} · ${model.rows.length} spans · ${recorder.globalRequestId}`;
  return renderToString(
    <Box flexDirection="column" width={width}>
      <Text bold wrap="truncate">
        {title}
      </Text>
      <WaterfallView model={model} selected={-1} width={width} height={model.rows.length + 1} focused={false} />
      <Text color={theme.muted} wrap="truncate">
        {`again: os trace show ${recorder.globalRequestId}  ·  as a page: os trace export ${recorder.globalRequestId} --format html`}
      </Text>
    </Box>,
    { columns: width },
  );
}

/** The interactive view, on the command's trace only, live (a build goes on after the API answered). */
async function openLiveView(recorder: CommandTraceRecorder, file: string): Promise<void> {
  // React's production build: the development one (chosen when NODE_ENV is unset) renders several times slower.
  process.env.NODE_ENV ??= "production";
  const { runTraceWatch } = await import("../run-watch.js");
  const source = new CommandTraceSource(recorder, file);
  try {
    await runTraceWatch(source, {
      intervalMs: 250,
      limit: 10,
      exportDir: ".",
      title: `os ${recorder.command} --trace`,
      initialFocus: "trace",
    });
  } finally {
    source.close();
  }
}
