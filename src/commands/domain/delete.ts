import { Args } from "@oclif/core";
import { ClientCommand } from "../../cli/client-command.js";

export default class DomainDelete extends ClientCommand<typeof DomainDelete> {
  static override summary = "Delete domain(s)";
  static override strict = false;
  static override args = { domain: Args.string({ required: true, description: "Domain(s) to delete (name or ID)" }) };

  async run(): Promise<void> {
    const id = this.identity();
    await this.deleteEach(this.positionals, "domain", async (d) => id.remove("domains", (await id.find("domains", d)).id));
  }
}
