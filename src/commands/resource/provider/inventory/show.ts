import { Args } from "@oclif/core";
import { INVENTORY_FIELDS, PlacementCommand, pick } from "../../../../cli/placement-command.js";

export default class ResourceProviderInventoryShow extends PlacementCommand<typeof ResourceProviderInventoryShow> {
  static override summary = "Show the inventory for a given resource provider/class pair.";
  static override args = {
    uuid: Args.string({ required: true, description: "UUID of the resource provider" }),
    resource_class: Args.string({ required: true, description: "<resource_class>, e.g. VCPU, MEMORY_MB, DISK_GB" }),
  };

  async run(): Promise<void> {
    const uuid = encodeURIComponent(this.args.uuid);
    const inv = await this.placement("GET", `/resource_providers/${uuid}/inventories/${encodeURIComponent(this.args.resource_class)}`);
    const { usages } = await this.placement("GET", `/resource_providers/${uuid}/usages`);
    const fields = [...INVENTORY_FIELDS, "used"];
    await this.printOne(
      pick({ ...inv, allocation_ratio: this.pyFloat(inv.allocation_ratio), used: usages[this.args.resource_class] }, fields),
    );
  }
}
