import { Args } from "@oclif/core";
import { PlacementCommand } from "../../../../cli/placement-command.js";

export default class ResourceProviderTraitList extends PlacementCommand<typeof ResourceProviderTraitList> {
  static override summary = "List traits associated with the resource provider identified by {uuid}.";
  static override description = "This command requires at least --os-placement-api-version 1.6.";
  static override args = { uuid: Args.string({ required: true, description: "UUID of the resource provider" }) };

  async run(): Promise<void> {
    await this.requireAtLeast(6);
    const { traits } = await this.placement("GET", `/resource_providers/${encodeURIComponent(this.args.uuid)}/traits`);
    await this.printList(
      ["name"],
      (traits as string[]).map((name) => ({ name })),
    );
  }
}
