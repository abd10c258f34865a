import { Args, Flags } from "@oclif/core";
import { ClientCommand } from "../../cli/client-command.js";
import { ApiError } from "../../client/errors.js";
import { type Entity, showable } from "../../client/identity.js";

export default class GroupCreate extends ClientCommand<typeof GroupCreate> {
  static override summary = "Create new group";
  static override args = { name: Args.string({ required: true, description: "New group name" }) };
  static override flags = {
    domain: Flags.string({ summary: "Domain to contain new group (name or ID)" }),
    description: Flags.string({ summary: "New group description" }),
    "or-show": Flags.boolean({ summary: "Return existing group" }),
  };

  async run(): Promise<void> {
    const id = this.identity();
    const domainId = await id.domainId(this.flags.domain);
    let group: Entity;
    try {
      group = await id.create("groups", { name: this.args.name, domain_id: domainId, description: this.flags.description });
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 409 && this.flags["or-show"])) throw err;
      group = await id.find("groups", this.args.name, { domainId });
    }
    await this.printOne(showable(group));
  }
}
