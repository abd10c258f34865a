import { Args, Flags } from "@oclif/core";
import type { Resource } from "../../../client/compute.js";
import { ComputeCommand, needVersion } from "../../../cli/compute-command.js";
import { serverIdForEvents } from "./show.js";

export default class ServerEventList extends ComputeCommand<typeof ServerEventList> {
  static override summary = "List recent events of a server.";
  static override description =
    "Specify ``--os-compute-api-version 2.21`` or higher to show events for a deleted server, specified by ID only.";
  static override args = { server: Args.string({ required: true, description: "Server to list events (name or ID)" }) };
  static override flags = {
    long: Flags.boolean({ summary: "List additional fields in output" }),
    "changes-since": Flags.string({ summary: "List only server events changed later or equal to a certain point of time (2.58+)" }),
    "changes-before": Flags.string({ summary: "List only server events changed earlier or equal to a certain point of time (2.66+)" }),
    marker: Flags.string({
      summary: "The last server event ID of the previous page (supported by --os-compute-api-version 2.58 or above)",
    }),
    limit: Flags.integer({ summary: "Maximum number of server events to display (supported by --os-compute-api-version 2.58 or above)" }),
  };

  async run(): Promise<void> {
    const f = this.flags;
    const compute = this.compute();
    for (const [flag, min, v] of [
      ["marker", "2.58", f.marker],
      ["limit", "2.58", f.limit],
      ["changes-since", "2.58", f["changes-since"]],
      ["changes-before", "2.66", f["changes-before"]],
    ] as const)
      if (v !== undefined && !compute.atLeast(min)) throw needVersion(min, `--${flag} option`);
    for (const [flag, v] of [
      ["changes-since", f["changes-since"]],
      ["changes-before", f["changes-before"]],
    ] as const)
      if (v && Number.isNaN(Date.parse(v))) throw new Error(`Invalid ${flag} value: ${v}`);
    const id = await serverIdForEvents(compute, this.args.server);
    const body = await compute.get<{ instanceActions: Resource[] }>(`/servers/${id}/os-instance-actions`, {
      marker: f.marker,
      limit: f.limit,
      "changes-since": f["changes-since"],
      "changes-before": f["changes-before"],
    });
    const cols: Array<[string, string]> = [
      ["Request ID", "request_id"],
      ["Server ID", "instance_uuid"],
      ["Action", "action"],
      ["Start Time", "start_time"],
    ];
    if (f.long) cols.push(["Message", "message"], ["Project ID", "project_id"], ["User ID", "user_id"]);
    await this.printList(
      cols.map(([h]) => h),
      (body.instanceActions ?? []).map((a) => Object.fromEntries(cols.map(([h, k]) => [h, k in a ? a[k] : ""]))),
    );
  }
}
