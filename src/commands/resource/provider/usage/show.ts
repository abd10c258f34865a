import { Args } from "@oclif/core";
import { PlacementCommand } from "../../../../cli/placement-command.js";

export default class ResourceProviderUsageShow extends PlacementCommand<typeof ResourceProviderUsageShow> {
  static override summary = "Show resource usages per class for a given resource provider.";
  static override args = { uuid: Args.string({ required: true, description: "UUID of the resource provider" }) };

  async run(): Promise<void> {
    const { usages } = await this.placement("GET", `/resource_providers/${encodeURIComponent(this.args.uuid)}/usages`);
    await this.printList(
      ["resource_class", "usage"],
      Object.entries(usages as Record<string, number>).map(([rc, usage]) => ({ resource_class: rc, usage })),
    );
  }
}
