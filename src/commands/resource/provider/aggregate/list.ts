import { Args } from "@oclif/core";
import { PlacementCommand } from "../../../../cli/placement-command.js";

export default class ResourceProviderAggregateList extends PlacementCommand<typeof ResourceProviderAggregateList> {
  static override summary = "List resource provider aggregates.";
  static override description = "Requires --os-placement-api-version 1.1.";
  static override args = { uuid: Args.string({ required: true, description: "UUID of the resource provider" }) };

  async run(): Promise<void> {
    await this.requireAtLeast(1);
    const { aggregates } = await this.placement("GET", `/resource_providers/${encodeURIComponent(this.args.uuid)}/aggregates`);
    await this.printList(
      ["uuid"],
      (aggregates as string[]).map((uuid) => ({ uuid })),
    );
  }
}
