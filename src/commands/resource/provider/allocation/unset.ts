import { Args, Flags } from "@oclif/core";
import { PlacementCommand } from "../../../../cli/placement-command.js";

type Allocations = Record<string, { resources: Record<string, number>; generation?: number }>;

export default class ResourceProviderAllocationUnset extends PlacementCommand<typeof ResourceProviderAllocationUnset> {
  static override summary = "Removes one or more sets of provider allocations for a consumer.";
  static override description =
    "Without --provider and --resource-class every allocation of the consumer is removed. Requires --os-placement-api-version 1.12.";
  static override args = { uuid: Args.string({ required: true, description: "UUID of the consumer" }) };
  static override flags = {
    provider: Flags.string({
      multiple: true,
      multipleNonGreedy: true,
      summary: "UUID of a provider whose allocations for the consumer are removed. May be repeated.",
    }),
    "resource-class": Flags.string({
      multiple: true,
      multipleNonGreedy: true,
      summary: "Resource class whose allocations for the consumer are removed. May be repeated.",
    }),
  };

  async run(): Promise<void> {
    await this.requireAtLeast(12);
    const url = `/allocations/${encodeURIComponent(this.args.uuid)}`;
    const payload = await this.placement("GET", url);
    let allocations = payload.allocations as Allocations;
    const providers = this.flags.provider ?? [];
    const classes = this.flags["resource-class"] ?? [];
    if (classes.length) {
      const targets = Object.keys(allocations).filter((rp) => providers.length === 0 || providers.includes(rp));
      for (const rp of targets) {
        const resources = allocations[rp]?.resources ?? {};
        for (const rc of classes) delete resources[rc];
        if (Object.keys(resources).length === 0) delete allocations[rp];
      }
    } else if (providers.length) for (const rp of providers) delete allocations[rp];
    else allocations = {};

    // From 1.28 an empty allocations object with the consumer generation is a valid PUT; before, DELETE.
    if (Object.keys(allocations).length > 0 || (await this.atLeast(28))) {
      payload.allocations = Object.fromEntries(Object.entries(allocations).map(([rp, a]) => [rp, { resources: a.resources }]));
      await this.placement("PUT", url, { body: payload });
    } else await this.placement("DELETE", url);
    await this.printAllocations(await this.placement("GET", url), true);
  }
}
