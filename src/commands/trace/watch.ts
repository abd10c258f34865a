import { existsSync } from "node:fs";
import { Flags } from "@oclif/core";
import { BaseCommand } from "../../cli/base-command.js";
import { stateDirFlag } from "../../cli/flags.js";
import { layout, stateDir } from "../../engine/common/paths.js";
import type { SpanRecord } from "../../engine/common/trace/span.js";
import { formatDuration } from "../../engine/common/trace/tree.js";
import { openTraceWatchReader } from "../../engine/common/trace/watch-queries.js";

export default class TraceWatch extends BaseCommand<typeof TraceWatch> {
  static override summary = "Watch requests flow through the cloud, live";
  static override description =
    "A full-screen view of the traced requests as they arrive: the request stream on the left; on the right the selected request as a waterfall (span tree on a time axis), a swimlane (one column per service, arrows for HTTP and RPC hops) and the selected span's details with a one-line explanation of well-known steps.\n\nKeys: ↑/↓ select, Enter open, Esc back, Tab switch view, / filter (path: user: status: service: method:), p pause, e export, q quit.\n\nWhen stdout is not a terminal it prints one line per finished request instead, until interrupted.";
  static override examples = [
    "<%= config.bin %> trace watch",
    "<%= config.bin %> trace watch --state-dir /tmp/cloud --export-dir ./traces",
  ];
  static override flags = {
    "state-dir": stateDirFlag,
    interval: Flags.integer({ summary: "How often to look for new spans, in milliseconds.", default: 250, min: 20, max: 10_000 }),
    limit: Flags.integer({ summary: "Keep at most this many requests in the list.", default: 10_000, min: 1 }),
    "export-dir": Flags.string({ summary: "Where `e` writes the selected trace (HTML, OTLP and Chrome JSON).", default: "." }),
  };

  async run(): Promise<void> {
    const file = layout(stateDir(this.flags["state-dir"])).db("trace");
    if (!existsSync(file)) {
      this.logToStderr(`Waiting for the trace database at ${file} (start the cloud with \`os cloud up\`)…`);
      while (!existsSync(file)) await new Promise((r) => setTimeout(r, 500));
    }
    const source = openTraceWatchReader(file);
    try {
      if (process.stdout.isTTY && this.flags.format === "table") {
        // React's production build: the development one (chosen when NODE_ENV is unset) renders several times slower.
        process.env.NODE_ENV ??= "production";
        const { runTraceWatch } = await import("../../tui/run-watch.js");
        await runTraceWatch(source, { intervalMs: this.flags.interval, limit: this.flags.limit, exportDir: this.flags["export-dir"] });
      } else {
        await this.stream(source);
      }
    } finally {
      source.close();
    }
  }

  /** Not a terminal: one line per request as its root span arrives (for logs and scripts). */
  private async stream(source: ReturnType<typeof openTraceWatchReader>): Promise<void> {
    let { cursor } = source.snapshot(0);
    let stop = false;
    const onSignal = () => {
      stop = true;
    };
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    while (!stop) {
      const next = source.since(cursor);
      cursor = next.cursor;
      for (const s of next.spans) if (s.parent_id === null) this.log(this.line(s));
      await new Promise((r) => setTimeout(r, this.flags.interval));
    }
  }

  private line(root: SpanRecord): string {
    const a = root.attributes;
    const fields = {
      request_id: root.request_id ?? root.trace_id,
      method: typeof a["http.method"] === "string" ? a["http.method"] : root.kind,
      path: typeof a["http.path"] === "string" ? a["http.path"] : root.name,
      status: a["http.status"] ?? (root.error ? "error" : "-"),
      duration: formatDuration(root.end - root.start),
      service: root.service,
    };
    return this.flags.format === "json" ? JSON.stringify(fields) : Object.values(fields).join(" ");
  }
}
