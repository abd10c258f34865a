import { Args } from "@oclif/core";
import { PlacementCommand } from "../../../../cli/placement-command.js";

export default class ResourceProviderTraitDelete extends PlacementCommand<typeof ResourceProviderTraitDelete> {
  static override summary = "Dissociate all the traits from the resource provider.";
  static override description = "Requires --os-placement-api-version 1.6.";
  static override args = { uuid: Args.string({ required: true, description: "UUID of the resource provider" }) };

  async run(): Promise<void> {
    await this.requireAtLeast(6);
    await this.placement("DELETE", `/resource_providers/${encodeURIComponent(this.args.uuid)}/traits`);
  }
}
