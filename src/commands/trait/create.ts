import { Args } from "@oclif/core";
import { PlacementCommand } from "../../cli/placement-command.js";

export default class TraitCreate extends PlacementCommand<typeof TraitCreate> {
  static override summary = "Create a new custom trait.";
  static override description =
    "Custom traits begin with CUSTOM_ and contain only A-Z, 0-9 and _. Requires --os-placement-api-version 1.6.";
  static override args = { name: Args.string({ required: true, description: "Name of the trait" }) };

  async run(): Promise<void> {
    await this.requireAtLeast(6);
    await this.placement("PUT", `/traits/${encodeURIComponent(this.args.name)}`);
  }
}
