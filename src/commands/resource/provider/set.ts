import { Args, Flags } from "@oclif/core";
import { NESTED_PROVIDER_FIELDS, PROVIDER_FIELDS, PlacementCommand, pick } from "../../../cli/placement-command.js";

export default class ResourceProviderSet extends PlacementCommand<typeof ResourceProviderSet> {
  static override summary = "Update an existing resource provider";
  static override args = { uuid: Args.string({ required: true, description: "UUID of the resource provider" }) };
  static override flags = {
    name: Flags.string({ required: true, summary: "A new name of the resource provider" }),
    "parent-provider": Flags.string({
      summary:
        "UUID of the parent provider. Can only be set if the resource provider has no parent yet. Requires --os-placement-api-version 1.14.",
    }),
  };

  async run(): Promise<void> {
    const data: Record<string, unknown> = { name: this.flags.name };
    if (this.flags["parent-provider"]) {
      await this.requireAtLeast(14);
      data.parent_provider_uuid = this.flags["parent-provider"];
    }
    const rp = await this.placement("PUT", `/resource_providers/${encodeURIComponent(this.args.uuid)}`, { body: data });
    const fields = [...PROVIDER_FIELDS, ...((await this.atLeast(14)) ? NESTED_PROVIDER_FIELDS : [])];
    await this.printOne(pick(rp, fields));
  }
}
