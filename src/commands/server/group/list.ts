import { Flags } from "@oclif/core";
import { type Resource, SDK_MAX, listColumn } from "../../../client/compute.js";
import { ComputeCommand } from "../../../cli/compute-command.js";

export default class ServerGroupList extends ComputeCommand<typeof ServerGroupList> {
  static override summary = "List all server groups.";
  static override flags = {
    "all-projects": Flags.boolean({ summary: "Display information from all projects (admin only)" }),
    long: Flags.boolean({ summary: "List additional fields in output" }),
    offset: Flags.integer({ summary: "Index from which to start listing servers." }),
    limit: Flags.integer({ summary: "Maximum number of server groups to display." }),
  };

  async run(): Promise<void> {
    const f = this.flags;
    const compute = await this.sdk(SDK_MAX.serverGroup);
    const groups =
      (
        await compute.get<{ server_groups: Resource[] }>("/os-server-groups", {
          all_projects: f["all-projects"] ? "True" : undefined,
          offset: f.offset,
          limit: f.limit,
        })
      ).server_groups ?? [];
    const v264 = compute.atLeast("2.64");
    const cols: Array<[string, (g: Resource) => unknown]> = [
      ["ID", (g) => g.id],
      ["Name", (g) => g.name],
      v264 ? ["Policy", (g) => g.policy] : ["Policies", (g) => listColumn(g.policies ?? [])],
    ];
    if (f.long)
      cols.push(["Members", (g) => listColumn(g.members ?? [])], ["Project Id", (g) => g.project_id], ["User Id", (g) => g.user_id]);
    await this.printList(
      cols.map(([h]) => h),
      groups.map((g) => Object.fromEntries(cols.map(([h, get]) => [h, get(g) ?? null]))),
    );
  }
}
