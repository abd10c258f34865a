import { writeFileSync } from "node:fs";
import { Args, Flags } from "@oclif/core";
import { BaseCommand } from "../../cli/base-command.js";
import { stateDirFlag } from "../../cli/flags.js";
import { layout, stateDir } from "../../engine/common/paths.js";
import { TraceDatabaseMissing, openTraceReader } from "../../engine/common/trace/queries.js";
import { EXPORT_FORMATS, type ExportFormat, exportTrace } from "../../tui/export/index.js";

const ID = /^(req-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32})$/;

export default class TraceExport extends BaseCommand<typeof TraceExport> {
  static override summary = "Export a trace as OTLP JSON, Chrome trace events or an HTML page";
  static override description =
    "otlp: OTLP/JSON (ExportTraceServiceRequest) that Jaeger and Grafana Tempo import. chrome: trace-event JSON that Perfetto (ui.perfetto.dev) and chrome://tracing open. html: a self-contained page with the waterfall.";
  static override examples = [
    "<%= config.bin %> trace export req-0f0c4b1e-8a6d-4a3b-9a52-7d1c2f3e4a5b --format html --output trace.html",
    "<%= config.bin %> trace export 4bf92f3577b34da6a3ce929d0e0e4736 --format otlp > trace.json",
  ];
  static override args = { id: Args.string({ required: true, description: "Request ID (req-…) or trace ID (32 hex digits)" }) };
  static override flags = {
    "state-dir": stateDirFlag,
    // Replaces the table/json/… output flag: an export has formats of its own.
    format: Flags.option({ char: "f", options: EXPORT_FORMATS, default: "otlp" as ExportFormat, summary: "Export format." })(),
    output: Flags.string({ char: "o", summary: "Write to this file instead of standard output." }),
  };

  async run(): Promise<void> {
    const id = this.args.id.trim().toLowerCase();
    if (!ID.test(id)) throw new Error(`'${this.args.id}' is neither a request ID (req-<uuid>) nor a trace ID (32 hex digits).`);
    // The inherited -f (table/json/…) and this one share a name, so the inferred type is unusable.
    const flags = this.flags as unknown as { format: ExportFormat; output?: string; "state-dir"?: string };
    const format = flags.format;
    let spans: ReturnType<ReturnType<typeof openTraceReader>["findSpans"]> = [];
    try {
      const reader = openTraceReader(layout(stateDir(flags["state-dir"])).db("trace"));
      try {
        spans = reader.findSpans(id);
      } finally {
        reader.close();
      }
    } catch (err) {
      if (!(err instanceof TraceDatabaseMissing)) throw err;
    }
    if (spans.length === 0) throw new Error(`No trace with a request ID or trace ID of '${this.args.id}' exists.`);
    const { text } = exportTrace(spans, format);
    if (flags.output) {
      writeFileSync(flags.output, text);
      this.logToStderr(`Wrote ${spans.length} spans as ${format} to ${flags.output}`);
    } else process.stdout.write(text);
  }
}
