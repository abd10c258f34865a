import { Flags } from "@oclif/core";
import type { Resource } from "../../client/compute.js";
import { ComputeCommand } from "../../cli/compute-command.js";

export default class LimitsShow extends ComputeCommand<typeof LimitsShow> {
  static override summary = "Show compute and block storage limits";
  static override flags = {
    absolute: Flags.boolean({ summary: "Show absolute limits", exclusive: ["rate"] }),
    rate: Flags.boolean({ summary: "Show rate limits" }),
    reserved: Flags.boolean({ summary: "Include reservations count [only valid with --absolute]" }),
    project: Flags.string({ summary: "Show limits for a specific project (name or ID) [only valid with --absolute]" }),
    domain: Flags.string({ summary: "Domain the project belongs to (name or ID) [only valid with --absolute]" }),
  };

  async run(): Promise<void> {
    const f = this.flags;
    if (!f.absolute && !f.rate) throw new Error("one of the arguments --absolute --rate is required");
    let projectId: string | undefined;
    if (f.project) {
      const domainId = f.domain ? (await this.identity().find("domains", f.domain)).id : undefined;
      projectId = (await this.identity().find("projects", f.project, { domainId })).id;
    }
    const limits = (
      await this.compute().get<{ limits: { absolute?: Record<string, unknown>; rate?: Resource[] } }>("/limits", {
        reserved: f.reserved ? 1 : undefined,
        tenant_id: projectId,
      })
    ).limits;
    if (f.absolute) {
      await this.printList(
        ["Name", "Value"],
        Object.entries(limits.absolute ?? {}).map(([Name, Value]) => ({ Name, Value })),
      );
      return;
    }
    const rows: Array<Record<string, unknown>> = [];
    for (const group of limits.rate ?? [])
      for (const l of group.limit ?? [])
        rows.push({
          Verb: l.verb,
          URI: group.uri,
          Value: l.value,
          Remain: l.remaining,
          Unit: l.unit,
          "Next Available": l["next-available"],
        });
    await this.printList(["Verb", "URI", "Value", "Remain", "Unit", "Next Available"], rows);
  }
}
