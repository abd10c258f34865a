import { Args } from "@oclif/core";
import { ClientCommand } from "../../cli/client-command.js";

export default class PolicyDelete extends ClientCommand<typeof PolicyDelete> {
  static override summary = "Delete policy(s)";
  static override strict = false;
  static override args = { policy: Args.string({ required: true, description: "Policy(s) to delete" }) };

  async run(): Promise<void> {
    const id = this.identity();
    await this.deleteEach(this.positionals, "policy", async (p) => id.remove("policies", p));
  }
}
