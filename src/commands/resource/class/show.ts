import { Args } from "@oclif/core";
import { PlacementCommand } from "../../../cli/placement-command.js";

export default class ResourceClassShow extends PlacementCommand<typeof ResourceClassShow> {
  static override summary = "Return a representation of the resource class identified by <name>.";
  static override description = "Requires --os-placement-api-version 1.2.";
  static override args = { name: Args.string({ required: true, description: "Name of the resource class" }) };

  async run(): Promise<void> {
    await this.requireAtLeast(2);
    const rc = await this.placement("GET", `/resource_classes/${encodeURIComponent(this.args.name)}`);
    await this.printOne({ name: rc.name });
  }
}
