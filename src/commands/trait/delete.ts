import { Args } from "@oclif/core";
import { PlacementCommand } from "../../cli/placement-command.js";

export default class TraitDelete extends PlacementCommand<typeof TraitDelete> {
  static override summary = "Delete the trait specified by {name}.";
  static override description = "Requires --os-placement-api-version 1.6.";
  static override args = { name: Args.string({ required: true, description: "Name of the trait" }) };

  async run(): Promise<void> {
    await this.requireAtLeast(6);
    await this.placement("DELETE", `/traits/${encodeURIComponent(this.args.name)}`);
  }
}
