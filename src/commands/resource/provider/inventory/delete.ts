import { Args, Flags } from "@oclif/core";
import { PlacementCommand } from "../../../../cli/placement-command.js";

export default class ResourceProviderInventoryDelete extends PlacementCommand<typeof ResourceProviderInventoryDelete> {
  static override summary = "Delete the inventory (of one class, or all of it from --os-placement-api-version 1.5).";
  static override args = { uuid: Args.string({ required: true, description: "UUID of the resource provider" }) };
  static override flags = {
    "resource-class": Flags.string({ summary: "<resource_class> to delete; omit (from 1.5) to delete all inventories of the provider" }),
  };

  async run(): Promise<void> {
    const uuid = encodeURIComponent(this.args.uuid);
    const rc = this.flags["resource-class"];
    // Before 1.5 there is no "delete all": osc-placement makes the class mandatory there.
    if (rc === undefined && !(await this.atLeast(5))) throw new Error("the following arguments are required: --resource-class");
    await this.placement(
      "DELETE",
      rc === undefined ? `/resource_providers/${uuid}/inventories` : `/resource_providers/${uuid}/inventories/${encodeURIComponent(rc)}`,
    );
  }
}
