import { Args, Flags } from "@oclif/core";
import { PlacementCommand } from "../../../../cli/placement-command.js";

export default class ResourceProviderTraitSet extends PlacementCommand<typeof ResourceProviderTraitSet> {
  static override summary = "Associate traits with the resource provider identified by {uuid}.";
  static override description =
    "All the associated traits will be replaced by the traits specified. Requires --os-placement-api-version 1.6.";
  static override args = { uuid: Args.string({ required: true, description: "UUID of the resource provider" }) };
  static override flags = {
    trait: Flags.string({ multiple: true, multipleNonGreedy: true, summary: "Name of the trait. May be repeated." }),
  };

  async run(): Promise<void> {
    await this.requireAtLeast(6);
    const uuid = encodeURIComponent(this.args.uuid);
    const rp = await this.placement("GET", `/resource_providers/${uuid}`);
    const { traits } = await this.placement("PUT", `/resource_providers/${uuid}/traits`, {
      body: { resource_provider_generation: rp.generation, traits: this.flags.trait ?? [] },
    });
    await this.printList(
      ["name"],
      (traits as string[]).map((name) => ({ name })),
    );
  }
}
