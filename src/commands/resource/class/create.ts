import { Args } from "@oclif/core";
import { PlacementCommand } from "../../../cli/placement-command.js";

export default class ResourceClassCreate extends PlacementCommand<typeof ResourceClassCreate> {
  static override summary = "Create a new resource class.";
  static override description = "Custom resource classes are named CUSTOM_*. Requires --os-placement-api-version 1.2.";
  static override args = { name: Args.string({ required: true, description: "Name of the resource class" }) };

  async run(): Promise<void> {
    await this.requireAtLeast(2);
    await this.placement("POST", "/resource_classes", { body: { name: this.args.name } });
  }
}
