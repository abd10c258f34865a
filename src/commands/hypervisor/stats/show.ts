import { sortedObject } from "../../../client/compute.js";
import { ComputeCommand } from "../../../cli/compute-command.js";

export default class HypervisorStatsShow extends ComputeCommand<typeof HypervisorStatsShow> {
  static override summary = "Display hypervisor stats details";

  async run(): Promise<void> {
    const body = await this.compute().get<{ hypervisor_statistics: Record<string, unknown> }>("/os-hypervisors/statistics");
    await this.printOne(sortedObject(body.hypervisor_statistics ?? {}));
  }
}
