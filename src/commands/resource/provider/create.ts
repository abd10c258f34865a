import { Args, Flags } from "@oclif/core";
import { NESTED_PROVIDER_FIELDS, PROVIDER_FIELDS, PlacementCommand, pick } from "../../../cli/placement-command.js";

export default class ResourceProviderCreate extends PlacementCommand<typeof ResourceProviderCreate> {
  static override summary = "Create a new resource provider";
  static override args = { name: Args.string({ required: true, description: "Name of the resource provider" }) };
  static override flags = {
    "parent-provider": Flags.string({
      summary: "UUID of the parent provider. Omit for no parent. Requires --os-placement-api-version 1.14.",
    }),
    uuid: Flags.string({ summary: "UUID of the resource provider" }),
  };

  async run(): Promise<void> {
    const data: Record<string, unknown> = { name: this.args.name };
    if (this.flags.uuid) data.uuid = this.flags.uuid;
    if (this.flags["parent-provider"]) {
      await this.requireAtLeast(14);
      data.parent_provider_uuid = this.flags["parent-provider"];
    }
    const created = await this.placementResponse("POST", "/resource_providers", { body: data });
    // Like osc-placement: read the new provider back from the Location header.
    const location = String(created.headers.location ?? "");
    const uuid = location.slice(location.lastIndexOf("/") + 1);
    const rp = await this.placement("GET", `/resource_providers/${uuid}`);
    const fields = [...PROVIDER_FIELDS, ...((await this.atLeast(14)) ? NESTED_PROVIDER_FIELDS : [])];
    await this.printOne(pick(rp, fields));
  }
}
