import { Args, Flags } from "@oclif/core";
import { NESTED_PROVIDER_FIELDS, PROVIDER_FIELDS, PlacementCommand, pick } from "../../../cli/placement-command.js";

export default class ResourceProviderShow extends PlacementCommand<typeof ResourceProviderShow> {
  static override summary = "Show resource provider details";
  static override args = { uuid: Args.string({ required: true, description: "UUID of the resource provider" }) };
  static override flags = {
    allocations: Flags.boolean({ summary: "include the info on allocations of the provider resources" }),
  };

  async run(): Promise<void> {
    const uuid = encodeURIComponent(this.args.uuid);
    const rp = await this.placement("GET", `/resource_providers/${uuid}`);
    const fields = [...PROVIDER_FIELDS, ...((await this.atLeast(14)) ? NESTED_PROVIDER_FIELDS : [])];
    if (this.flags.allocations) {
      rp.allocations = (await this.placement("GET", `/resource_providers/${uuid}/allocations`)).allocations;
      fields.push("allocations");
    }
    await this.printOne(pick(rp, fields));
  }
}
