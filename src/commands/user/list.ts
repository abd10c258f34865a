import { Flags } from "@oclif/core";
import { ClientCommand, props } from "../../cli/client-command.js";
import type { Entity } from "../../client/identity.js";

export default class UserList extends ClientCommand<typeof UserList> {
  static override summary = "List users";
  static override flags = {
    domain: Flags.string({ summary: "Filter users by <domain> (name or ID)" }),
    group: Flags.string({ summary: "Filter users by <group> membership (name or ID)", exclusive: ["project"] }),
    project: Flags.string({ summary: "Filter users by <project> (name or ID)" }),
    long: Flags.boolean({ summary: "List additional fields in output" }),
  };

  async run(): Promise<void> {
    const id = this.identity();
    const domainId = await id.domainId(this.flags.domain);
    let data: Entity[];
    if (this.flags.project) {
      // Users with any role on the project, each once (the openstack client reads role assignments).
      const project = await id.find("projects", this.flags.project, { domainId });
      const assignments = await id.list("role_assignments", { "scope.project.id": project.id }, "role_assignments");
      const userIds = [...new Set(assignments.filter((a) => a.user).map((a) => a.user.id as string))];
      data = await Promise.all(userIds.map((u) => id.get("users", u)));
    } else if (this.flags.group) {
      const group = await id.findGroup(this.flags.group, this.flags.domain);
      data = await id.list(`groups/${group.id}/users`, { domain_id: domainId }, "users");
    } else data = await id.list("users", { domain_id: domainId });
    const columns = this.flags.long ? ["ID", "Name", "Project", "Domain", "Description", "Email", "Enabled"] : ["ID", "Name"];
    await this.printList(
      columns,
      data.map((u) => props(u, columns, { Project: "default_project_id", Domain: "domain_id" })),
    );
  }
}
