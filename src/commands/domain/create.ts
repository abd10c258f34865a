import { Args, Flags } from "@oclif/core";
import { ClientCommand } from "../../cli/client-command.js";
import { ApiError } from "../../client/errors.js";
import { type Entity, showable } from "../../client/identity.js";

export default class DomainCreate extends ClientCommand<typeof DomainCreate> {
  static override summary = "Create new domain";
  static override args = { name: Args.string({ required: true, description: "New domain name" }) };
  static override flags = {
    description: Flags.string({ summary: "New domain description" }),
    enable: Flags.boolean({ summary: "Enable domain (default)", exclusive: ["disable"] }),
    disable: Flags.boolean({ summary: "Disable domain" }),
    "or-show": Flags.boolean({ summary: "Return existing domain" }),
  };

  async run(): Promise<void> {
    const id = this.identity();
    let domain: Entity;
    try {
      domain = await id.create("domains", { name: this.args.name, description: this.flags.description, enabled: !this.flags.disable });
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 409 && this.flags["or-show"])) throw err;
      domain = await id.find("domains", this.args.name);
    }
    await this.printOne(showable(domain));
  }
}
