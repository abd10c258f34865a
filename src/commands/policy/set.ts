import { readFileSync } from "node:fs";
import { Args, Flags } from "@oclif/core";
import { ClientCommand } from "../../cli/client-command.js";

export default class PolicySet extends ClientCommand<typeof PolicySet> {
  static override summary = "Set policy properties";
  static override args = { policy: Args.string({ required: true, description: "Policy to modify" }) };
  static override flags = {
    type: Flags.string({ summary: "New MIME type of the policy rules file" }),
    rules: Flags.string({ summary: "New serialized policy rules file" }),
  };

  async run(): Promise<void> {
    const body: Record<string, unknown> = {};
    if (this.flags.type) body.type = this.flags.type;
    if (this.flags.rules) body.blob = readFileSync(this.flags.rules, "utf8");
    await this.identity().update("policies", this.args.policy, body);
  }
}
