import { Args } from "@oclif/core";
import { ClientCommand } from "../../cli/client-command.js";
import { showable } from "../../client/identity.js";

export default class DomainShow extends ClientCommand<typeof DomainShow> {
  static override summary = "Display domain details";
  static override args = { domain: Args.string({ required: true, description: "Domain to display (name or ID)" }) };

  async run(): Promise<void> {
    await this.printOne(showable(await this.identity().find("domains", this.args.domain)));
  }
}
