import { Args, Flags } from "@oclif/core";
import { ClientCommand } from "../../cli/client-command.js";

export default class DomainSet extends ClientCommand<typeof DomainSet> {
  static override summary = "Set domain properties";
  static override args = { domain: Args.string({ required: true, description: "Domain to modify (name or ID)" }) };
  static override flags = {
    name: Flags.string({ summary: "New domain name" }),
    description: Flags.string({ summary: "New domain description" }),
    enable: Flags.boolean({ summary: "Enable domain", exclusive: ["disable"] }),
    disable: Flags.boolean({ summary: "Disable domain" }),
  };

  async run(): Promise<void> {
    const id = this.identity();
    const domain = await id.find("domains", this.args.domain);
    const body: Record<string, unknown> = {};
    if (this.flags.name) body.name = this.flags.name;
    if (this.flags.description !== undefined) body.description = this.flags.description;
    if (this.flags.enable) body.enabled = true;
    if (this.flags.disable) body.enabled = false;
    await id.update("domains", domain.id, body);
  }
}
