import { Args } from "@oclif/core";
import { ClientCommand } from "../../cli/client-command.js";
import { showable } from "../../client/identity.js";

export default class ServiceShow extends ClientCommand<typeof ServiceShow> {
  static override summary = "Display service details";
  static override args = { service: Args.string({ required: true, description: "Service to display (type, name or ID)" }) };

  async run(): Promise<void> {
    await this.printOne(showable(await this.identity().findService(this.args.service)));
  }
}
