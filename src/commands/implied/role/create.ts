import { Args, Flags } from "@oclif/core";
import { ClientCommand } from "../../../cli/client-command.js";
import { priorAndImplied } from "../../../client/format.js";

export default class ImpliedRoleCreate extends ClientCommand<typeof ImpliedRoleCreate> {
  static override summary = "Creates an association between prior and implied roles";
  static override args = { role: Args.string({ required: true, description: "Role (name or ID) that implies another role" }) };
  static override flags = { "implied-role": Flags.string({ required: true, summary: "<role> (name or ID) implied by another role" }) };

  async run(): Promise<void> {
    const [prior, implied] = priorAndImplied(await this.identity().list("roles"), this.args.role, this.flags["implied-role"]);
    const res = await this.session().put("identity", `/roles/${prior}/implies/${implied}`);
    const rule = res.body.role_inference;
    await this.printOne({ implies: rule.implies.id, prior_role: rule.prior_role.id });
  }
}
