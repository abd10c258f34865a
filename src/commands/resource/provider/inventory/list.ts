import { Args } from "@oclif/core";
import { INVENTORY_FIELDS, PlacementCommand, pick } from "../../../../cli/placement-command.js";

export default class ResourceProviderInventoryList extends PlacementCommand<typeof ResourceProviderInventoryList> {
  static override summary = "List inventories for a given resource provider.";
  static override args = { uuid: Args.string({ required: true, description: "UUID of the resource provider" }) };

  async run(): Promise<void> {
    const uuid = encodeURIComponent(this.args.uuid);
    const { inventories } = await this.placement("GET", `/resource_providers/${uuid}/inventories`);
    // The used amounts come from the provider's usages, as osc-placement adds them.
    const { usages } = await this.placement("GET", `/resource_providers/${uuid}/usages`);
    const fields = ["resource_class", ...INVENTORY_FIELDS, "used"];
    const rows = Object.entries(inventories as Record<string, Record<string, unknown>>).map(([rc, inv]) =>
      pick({ resource_class: rc, ...inv, allocation_ratio: this.pyFloat(inv.allocation_ratio), used: usages[rc] }, fields),
    );
    await this.printList(fields, rows);
  }
}
