import { Args, Flags } from "@oclif/core";
import { ClientCommand } from "../../cli/client-command.js";
import { regionView } from "../../client/format.js";

export default class RegionCreate extends ClientCommand<typeof RegionCreate> {
  static override summary = "Create new region";
  static override args = { region: Args.string({ required: true, description: "New region ID" }) };
  static override flags = {
    "parent-region": Flags.string({ summary: "Parent region ID" }),
    description: Flags.string({ summary: "New region description" }),
  };

  async run(): Promise<void> {
    const region = await this.identity().create("regions", {
      id: this.args.region,
      parent_region_id: this.flags["parent-region"],
      description: this.flags.description,
    });
    await this.printOne(regionView(region));
  }
}
