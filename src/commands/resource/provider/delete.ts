import { Args } from "@oclif/core";
import { PlacementCommand } from "../../../cli/placement-command.js";

export default class ResourceProviderDelete extends PlacementCommand<typeof ResourceProviderDelete> {
  static override summary = "Delete a resource provider";
  static override args = { uuid: Args.string({ required: true, description: "UUID of the resource provider" }) };

  async run(): Promise<void> {
    await this.placement("DELETE", `/resource_providers/${encodeURIComponent(this.args.uuid)}`);
  }
}
