import { Args } from "@oclif/core";
import { PlacementCommand } from "../../cli/placement-command.js";

export default class TraitShow extends PlacementCommand<typeof TraitShow> {
  static override summary = "Check if a trait name exists in this cloud.";
  static override description = "Requires --os-placement-api-version 1.6.";
  static override args = { name: Args.string({ required: true, description: "Name of the trait" }) };

  async run(): Promise<void> {
    await this.requireAtLeast(6);
    await this.placement("GET", `/traits/${encodeURIComponent(this.args.name)}`);
    await this.printOne({ name: this.args.name });
  }
}
