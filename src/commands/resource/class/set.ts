import { Args } from "@oclif/core";
import { PlacementCommand } from "../../../cli/placement-command.js";

export default class ResourceClassSet extends PlacementCommand<typeof ResourceClassSet> {
  static override summary = "Create or validate the existence of single resource class.";
  static override description =
    "Unlike `resource class create`, succeeds when the class already exists. Requires --os-placement-api-version 1.7.";
  static override args = { name: Args.string({ required: true, description: "Name of the resource class" }) };

  async run(): Promise<void> {
    await this.requireAtLeast(7);
    await this.placement("PUT", `/resource_classes/${encodeURIComponent(this.args.name)}`);
  }
}
