import { Args, Flags } from "@oclif/core";
import { ClientCommand } from "../../cli/client-command.js";

export default class RegionSet extends ClientCommand<typeof RegionSet> {
  static override summary = "Set region properties";
  static override args = { region: Args.string({ required: true, description: "Region to modify" }) };
  static override flags = {
    "parent-region": Flags.string({ summary: "New parent region ID" }),
    description: Flags.string({ summary: "New region description" }),
  };

  async run(): Promise<void> {
    const body: Record<string, unknown> = {};
    if (this.flags.description) body.description = this.flags.description;
    if (this.flags["parent-region"]) body.parent_region_id = this.flags["parent-region"];
    await this.identity().update("regions", this.args.region, body);
  }
}
