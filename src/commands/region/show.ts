import { Args } from "@oclif/core";
import { ClientCommand } from "../../cli/client-command.js";
import { regionView } from "../../client/format.js";

export default class RegionShow extends ClientCommand<typeof RegionShow> {
  static override summary = "Display region details";
  static override args = { region: Args.string({ required: true, description: "Region to display" }) };

  async run(): Promise<void> {
    await this.printOne(regionView(await this.identity().find("regions", this.args.region)));
  }
}
