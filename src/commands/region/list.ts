import { Flags } from "@oclif/core";
import { ClientCommand } from "../../cli/client-command.js";

export default class RegionList extends ClientCommand<typeof RegionList> {
  static override summary = "List regions";
  static override flags = { "parent-region": Flags.string({ summary: "Filter by parent region ID" }) };

  async run(): Promise<void> {
    const regions = await this.identity().list("regions", { parent_region_id: this.flags["parent-region"] });
    await this.printList(
      ["Region", "Parent Region", "Description"],
      regions.map((r) => ({ Region: r.id, "Parent Region": r.parent_region_id ?? null, Description: r.description ?? "" })),
    );
  }
}
