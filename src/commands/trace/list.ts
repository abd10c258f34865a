import { Flags } from "@oclif/core";
import { BaseCommand } from "../../cli/base-command.js";
import { stateDirFlag } from "../../cli/flags.js";
import { layout, stateDir } from "../../engine/common/paths.js";
import { TraceDatabaseMissing, openTraceReader } from "../../engine/common/trace/queries.js";
import { formatDuration } from "../../engine/common/trace/tree.js";

const COLUMNS = ["Request ID", "Method", "Path", "Status", "Duration", "Spans", "Services"];

export default class TraceList extends BaseCommand<typeof TraceList> {
  static override summary = "List recent traced requests, newest first";
  static override description =
    "One row per API request that reached the cloud: its request id (as in x-openstack-request-id), the call, the answer, how long it took, and the services it went through.";
  static override examples = [
    "<%= config.bin %> trace list",
    "<%= config.bin %> trace list --limit 5 --service glance",
    "<%= config.bin %> trace list -f json -c 'Request ID' -c Duration",
  ];
  static override flags = {
    "state-dir": stateDirFlag,
    limit: Flags.integer({ summary: "Show at most this many requests.", default: 20, min: 1 }),
    service: Flags.string({ summary: "Only requests that went through this service (e.g. nova-api, glance)." }),
  };

  async run(): Promise<void> {
    const file = layout(stateDir(this.flags["state-dir"])).db("trace");
    let reader: ReturnType<typeof openTraceReader>;
    try {
      reader = openTraceReader(file);
    } catch (err) {
      if (!(err instanceof TraceDatabaseMissing)) throw err;
      if (this.flags.format === "table") this.logToStderr(err.message);
      await this.printList(COLUMNS, []);
      return;
    }
    try {
      const requests = reader.listRequests({ limit: this.flags.limit, service: this.flags.service });
      await this.printList(
        COLUMNS,
        requests.map((r) => ({
          "Request ID": r.request_id,
          Method: r.method,
          Path: r.path,
          Status: r.status,
          Duration: formatDuration(r.duration_ms),
          Spans: r.spans,
          Services: r.services.join(", "),
        })),
      );
    } finally {
      reader.close();
    }
  }
}
