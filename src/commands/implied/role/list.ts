import { ClientCommand } from "../../../cli/client-command.js";

export default class ImpliedRoleList extends ClientCommand<typeof ImpliedRoleList> {
  static override summary = "List implied roles";

  async run(): Promise<void> {
    const res = await this.session().get("identity", "/role_inferences");
    const rows = [];
    for (const rule of res.body.role_inferences ?? [])
      for (const implied of rule.implies)
        rows.push({
          "Prior Role ID": rule.prior_role.id,
          "Prior Role Name": rule.prior_role.name,
          "Implied Role ID": implied.id,
          "Implied Role Name": implied.name,
        });
    await this.printList(["Prior Role ID", "Prior Role Name", "Implied Role ID", "Implied Role Name"], rows);
  }
}
