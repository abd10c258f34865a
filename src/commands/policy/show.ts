import { Args } from "@oclif/core";
import { ClientCommand } from "../../cli/client-command.js";
import { policyView } from "../../client/format.js";

export default class PolicyShow extends ClientCommand<typeof PolicyShow> {
  static override summary = "Display policy details";
  static override args = { policy: Args.string({ required: true, description: "Policy to display" }) };

  async run(): Promise<void> {
    await this.printOne(policyView(await this.identity().get("policies", this.args.policy)));
  }
}
