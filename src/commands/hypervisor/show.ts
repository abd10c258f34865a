import { Args } from "@oclif/core";
import { type Resource, dictColumn, sortedObject } from "../../client/compute.js";
import { ComputeCommand } from "../../cli/compute-command.js";

export default class HypervisorShow extends ComputeCommand<typeof HypervisorShow> {
  static override summary = "Display hypervisor details";
  static override args = { hypervisor: Args.string({ required: true, description: "Hypervisor to display (name or ID)" }) };

  async run(): Promise<void> {
    const compute = this.compute();
    const h: Record<string, unknown> = { ...(await compute.findHypervisor(this.args.hypervisor)) };
    const service = (h.service ?? {}) as Resource;
    const [cell, serviceHost] = String(service.host ?? "").includes("@")
      ? String(service.host).split("@", 2)
      : [undefined, String(service.host ?? "")];
    let aggregates: Resource[] = [];
    try {
      aggregates = (await compute.get<{ aggregates: Resource[] }>("/os-aggregates")).aggregates ?? [];
    } catch {
      // no aggregates API for this caller: none listed
    }
    h.aggregates = aggregates
      .filter((a) => (!cell || String(a.name).includes(cell)) && (a.hosts ?? []).includes(serviceHost))
      .map((a) => a.name);
    try {
      const up = (await compute.get<{ hypervisor: Resource }>(`/os-hypervisors/${h.id}/uptime`)).hypervisor;
      const m = /\s*(.+)\sup\s+(.+),\s+(.+)\susers?,\s+load average:\s(.+)/.exec(String(up?.uptime ?? ""));
      if (m) Object.assign(h, { host_time: m[1], uptime: m[2], users: m[3], load_average: m[4] });
    } catch {
      // the driver does not report uptime (HTTPNotImplemented): leave it out
    }
    h.service_id = service.id;
    h.service_host = service.host;
    delete h.service;
    if (!compute.atLeast("2.28")) {
      let cpu: unknown = {};
      try {
        cpu = h.cpu_info ? JSON.parse(String(h.cpu_info)) : {};
      } catch {
        cpu = {};
      }
      h.cpu_info = dictColumn(cpu);
    } else if (h.cpu_info && typeof h.cpu_info === "object") h.cpu_info = dictColumn(h.cpu_info);
    await this.printOne(sortedObject(h));
  }
}
