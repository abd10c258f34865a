import { Args, Flags } from "@oclif/core";
import { INVENTORY_FIELDS, PlacementCommand, pick, pyFloatValue, pyInt } from "../../../../../cli/placement-command.js";

export default class ResourceProviderInventoryClassSet extends PlacementCommand<typeof ResourceProviderInventoryClassSet> {
  static override summary = "Replace the inventory record of the class for the resource provider.";
  static override examples = ["<%= config.bin %> resource provider inventory class set <uuid> VCPU --total 16 --max_unit 4 --reserved 1"];
  static override args = {
    uuid: Args.string({ required: true, description: "UUID of the resource provider" }),
    resource_class: Args.string({ required: true, description: "<resource_class>, e.g. VCPU, MEMORY_MB, DISK_GB" }),
  };
  // osc-placement spells these options with underscores (--max_unit).
  static override flags = {
    allocation_ratio: Flags.string({ summary: "Overcommit ratio: capacity = (total - reserved) * allocation_ratio" }),
    min_unit: Flags.string({ summary: "A minimum amount any single allocation against an inventory can have." }),
    max_unit: Flags.string({ summary: "A maximum amount any single allocation against an inventory can have." }),
    reserved: Flags.string({ summary: "The amount of the resource a provider has reserved for its own use." }),
    step_size: Flags.string({ summary: "The divisible amount of the resource that may be requested." }),
    total: Flags.string({ required: true, summary: "The actual amount of the resource that the provider can accommodate." }),
  };

  async run(): Promise<void> {
    const uuid = encodeURIComponent(this.args.uuid);
    const rp = await this.placement("GET", `/resource_providers/${uuid}`);
    const payload: Record<string, unknown> = { resource_provider_generation: rp.generation };
    for (const field of INVENTORY_FIELDS) {
      const raw = this.flags[field];
      if (raw !== undefined) payload[field] = field === "allocation_ratio" ? pyFloatValue(raw) : pyInt(raw);
    }
    const inv = await this.placement("PUT", `/resource_providers/${uuid}/inventories/${encodeURIComponent(this.args.resource_class)}`, {
      body: payload,
    });
    await this.printOne(pick({ ...inv, allocation_ratio: this.pyFloat(inv.allocation_ratio) }, INVENTORY_FIELDS));
  }
}
