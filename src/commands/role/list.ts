import { Flags } from "@oclif/core";
import { ClientCommand, props } from "../../cli/client-command.js";

export default class RoleList extends ClientCommand<typeof RoleList> {
  static override summary = "List roles";
  static override flags = { domain: Flags.string({ summary: "Include <domain> (name or ID)" }) };

  async run(): Promise<void> {
    const id = this.identity();
    if (this.flags.domain) {
      const domain = await id.findDomain(this.flags.domain);
      const columns = ["ID", "Name", "Domain"];
      const roles = await id.list("roles", { domain_id: domain.id });
      await this.printList(
        columns,
        roles.map((r) => props({ ...r, domain: domain.name }, columns)),
      );
      return;
    }
    const columns = ["ID", "Name"];
    await this.printList(
      columns,
      (await id.list("roles")).map((r) => props(r, columns)),
    );
  }
}
