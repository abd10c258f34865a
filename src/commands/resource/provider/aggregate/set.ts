import { Args, Flags } from "@oclif/core";
import { PlacementCommand, pyInt } from "../../../../cli/placement-command.js";

export default class ResourceProviderAggregateSet extends PlacementCommand<typeof ResourceProviderAggregateSet> {
  static override summary = "Associate a list of aggregates with the resource provider.";
  static override description =
    "Replaces the provider's aggregates; no --aggregate removes them all. Requires --os-placement-api-version 1.1, and --generation from 1.19.";
  static override args = { uuid: Args.string({ required: true, description: "UUID of the resource provider" }) };
  static override flags = {
    aggregate: Flags.string({ multiple: true, multipleNonGreedy: true, summary: "UUID of the aggregate. May be repeated." }),
    generation: Flags.string({ summary: "The generation of the resource provider (required from --os-placement-api-version 1.19)." }),
  };

  async run(): Promise<void> {
    await this.requireAtLeast(1);
    const url = `/resource_providers/${encodeURIComponent(this.args.uuid)}/aggregates`;
    const aggregates = this.flags.aggregate ?? [];
    const generation = this.flags.generation === undefined ? undefined : pyInt(this.flags.generation);
    if (generation !== undefined) await this.requireAtLeast(19);
    let body: { aggregates: string[] };
    if (!(await this.atLeast(19))) body = await this.placement("PUT", url, { body: aggregates });
    else if (generation !== undefined)
      body = await this.placement("PUT", url, { body: { aggregates, resource_provider_generation: generation } });
    else throw new Error("A generation must be specified.");
    await this.printList(
      ["uuid"],
      body.aggregates.map((uuid) => ({ uuid })),
    );
  }
}
