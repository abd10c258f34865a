import { Args } from "@oclif/core";
import { PlacementCommand } from "../../../cli/placement-command.js";

export default class ResourceClassDelete extends PlacementCommand<typeof ResourceClassDelete> {
  static override summary = "Delete the resource class identified by <name>.";
  static override description = "Only custom resource classes can be deleted. Requires --os-placement-api-version 1.2.";
  static override args = { name: Args.string({ required: true, description: "Name of the resource class" }) };

  async run(): Promise<void> {
    await this.requireAtLeast(2);
    await this.placement("DELETE", `/resource_classes/${encodeURIComponent(this.args.name)}`);
  }
}
