import { Flags } from "@oclif/core";
import type { Resource } from "../../client/compute.js";
import { ComputeCommand, needVersion } from "../../cli/compute-command.js";

export default class HypervisorList extends ComputeCommand<typeof HypervisorList> {
  static override summary = "List hypervisors";
  static override flags = {
    matching: Flags.string({ summary: "Filter hypervisors using <hostname> substring" }),
    marker: Flags.string({
      summary: "The UUID of the last hypervisor of the previous page (supported with --os-compute-api-version 2.33 or above)",
    }),
    limit: Flags.integer({ summary: "Maximum number of hypervisors to display (supported with --os-compute-api-version 2.33 or above)" }),
    long: Flags.boolean({ summary: "List additional fields in output" }),
  };

  async run(): Promise<void> {
    const f = this.flags;
    const compute = this.compute();
    if (f.matching && (f.marker || f.limit)) throw new Error("--matching is not compatible with --marker or --limit");
    if (f.marker && !compute.atLeast("2.33")) throw needVersion("2.33", "--marker option");
    if (f.limit && !compute.atLeast("2.33")) throw needVersion("2.33", "--limit option");
    let data: Resource[];
    if (f.matching)
      data = compute.atLeast("2.53")
        ? ((await compute.get<{ hypervisors: Resource[] }>("/os-hypervisors", { hypervisor_hostname_pattern: f.matching })).hypervisors ??
          [])
        : ((await compute.get<{ hypervisors: Resource[] }>(`/os-hypervisors/${encodeURIComponent(f.matching)}/search`)).hypervisors ?? []);
    else
      data =
        (await compute.get<{ hypervisors: Resource[] }>("/os-hypervisors/detail", { marker: f.marker, limit: f.limit })).hypervisors ?? [];
    const cols = ["ID", "Hypervisor Hostname", "Hypervisor Type", "Host IP", "State"];
    if (f.long) cols.push("vCPUs Used", "vCPUs", "Memory MB Used", "Memory MB");
    const field = (c: string) => c.toLowerCase().replace(/ /g, "_");
    await this.printList(
      cols,
      data.map((h) => Object.fromEntries(cols.map((c) => [c, field(c) in h ? h[field(c)] : ""]))),
    );
  }
}
