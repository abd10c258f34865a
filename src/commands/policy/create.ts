import { readFileSync } from "node:fs";
import { Args, Flags } from "@oclif/core";
import { ClientCommand } from "../../cli/client-command.js";
import { policyView } from "../../client/format.js";

export default class PolicyCreate extends ClientCommand<typeof PolicyCreate> {
  static override summary = "Create new policy";
  static override args = { rules: Args.string({ required: true, description: "New serialized policy rules file" }) };
  static override flags = {
    type: Flags.string({ default: "application/json", summary: "New MIME type of the policy rules file (defaults to application/json)" }),
  };

  async run(): Promise<void> {
    const blob = readFileSync(this.args.rules, "utf8");
    await this.printOne(policyView(await this.identity().create("policies", { blob, type: this.flags.type })));
  }
}
