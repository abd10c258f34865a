import { Args } from "@oclif/core";
import { BaseCommand } from "../../cli/base-command.js";
import { stateDirFlag } from "../../cli/flags.js";
import { layout, stateDir } from "../../engine/common/paths.js";
import { TraceDatabaseMissing, openTraceReader } from "../../engine/common/trace/queries.js";
import type { SpanRecord } from "../../engine/common/trace/span.js";
import { type SpanNode, buildSpanForest, formatDuration, renderSpanForest } from "../../engine/common/trace/tree.js";

const ID = /^(req-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32})$/;
const FLAT_COLUMNS = ["Trace ID", "Span ID", "Parent ID", "Name", "Service", "Host", "PID", "Kind", "Duration", "Offset", "Error"];

function flatRows(nodes: SpanNode[], depth = 0): Array<Record<string, string | number | null>> {
  return nodes.flatMap((n) => [
    {
      "Trace ID": n.trace_id,
      "Span ID": n.span_id,
      "Parent ID": n.parent_id,
      Name: `${"  ".repeat(depth)}${n.name}`,
      Service: n.service,
      Host: n.host,
      PID: n.pid,
      Kind: n.kind,
      Duration: formatDuration(n.duration_ms),
      Offset: `+${formatDuration(n.offset_ms)}`,
      Error: n.error,
    },
    ...flatRows(n.children, depth + 1),
  ]);
}

export default class TraceShow extends BaseCommand<typeof TraceShow> {
  static override summary = "Show the spans of a request as a tree";
  static override description =
    "Takes the request id a response carried (x-openstack-request-id, also in the services' log lines) or a trace id. Each line: span name, service@host (pid), kind, duration and offset from the start of the trace; failed spans say ERROR.";
  static override examples = [
    "<%= config.bin %> trace show req-0f0c4b1e-8a6d-4a3b-9a52-7d1c2f3e4a5b",
    "<%= config.bin %> trace show 4bf92f3577b34da6a3ce929d0e0e4736 -f json",
  ];
  static override args = { id: Args.string({ required: true, description: "Request ID (req-…) or trace ID (32 hex digits)" }) };
  static override flags = { "state-dir": stateDirFlag };

  async run(): Promise<void> {
    const id = this.args.id.trim().toLowerCase();
    if (!ID.test(id)) throw new Error(`'${this.args.id}' is neither a request ID (req-<uuid>) nor a trace ID (32 hex digits).`);
    if (this.flags.format === "shell")
      throw new Error("the shell format is not available for a span tree; use table, json, yaml, value or csv.");
    const spans = this.load(id);
    if (spans.length === 0) throw new Error(`No trace with a request ID or trace ID of '${this.args.id}' exists.`);
    const forest = buildSpanForest(spans);
    switch (this.flags.format) {
      case "json":
        this.log(JSON.stringify(forest, null, this.flags.noindent ? undefined : 2));
        return;
      case "yaml": {
        const { stringify } = await import("yaml");
        this.log(stringify(forest, { lineWidth: 0 }).trimEnd());
        return;
      }
      case "value":
      case "csv":
        await this.printList(FLAT_COLUMNS, flatRows(forest));
        return;
      default:
        this.log(renderSpanForest(forest));
    }
  }

  private load(id: string): SpanRecord[] {
    let reader: ReturnType<typeof openTraceReader>;
    try {
      reader = openTraceReader(layout(stateDir(this.flags["state-dir"])).db("trace"));
    } catch (err) {
      if (err instanceof TraceDatabaseMissing) return [];
      throw err;
    }
    try {
      return reader.findSpans(id);
    } finally {
      reader.close();
    }
  }
}
