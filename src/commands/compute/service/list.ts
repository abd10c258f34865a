import { Flags } from "@oclif/core";
import { type Resource, SDK_MAX } from "../../../client/compute.js";
import { ComputeCommand } from "../../../cli/compute-command.js";

export default class ComputeServiceList extends ComputeCommand<typeof ComputeServiceList> {
  static override summary = "List compute services.";
  static override description =
    "Using ``--os-compute-api-version`` 2.53 or greater will return the ID as a UUID value which can be used to uniquely identify the service in a multi-cell deployment.";
  static override flags = {
    host: Flags.string({ summary: "List services on specified host (name only)" }),
    service: Flags.string({
      summary: "List only specified service binaries (name only). For example, ``nova-compute``, ``nova-conductor``, etc.",
    }),
    long: Flags.boolean({ summary: "List additional fields in output" }),
  };

  async run(): Promise<void> {
    const compute = await this.sdk(SDK_MAX.service);
    const services =
      (await compute.get<{ services: Resource[] }>("/os-services", { host: this.flags.host, binary: this.flags.service })).services ?? [];
    const cols: Array<[string, (s: Resource) => unknown]> = [
      ["ID", (s) => s.id],
      ["Binary", (s) => s.binary],
      ["Host", (s) => s.host],
      ["Zone", (s) => s.zone],
      ["Status", (s) => s.status],
      ["State", (s) => s.state],
      ["Updated At", (s) => s.updated_at],
    ];
    if (this.flags.long) {
      cols.push(["Disabled Reason", (s) => s.disabled_reason]);
      if (compute.atLeast("2.11")) cols.push(["Forced Down", (s) => s.forced_down]);
    }
    await this.printList(
      cols.map(([h]) => h),
      services.map((s) => Object.fromEntries(cols.map(([h, get]) => [h, get(s) ?? null]))),
    );
  }
}
