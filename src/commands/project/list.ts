import { Flags } from "@oclif/core";
import { ClientCommand, props } from "../../cli/client-command.js";
import { ApiError } from "../../client/errors.js";
import type { Entity } from "../../client/identity.js";

export default class ProjectList extends ClientCommand<typeof ProjectList> {
  static override summary = "List projects";
  static override flags = {
    domain: Flags.string({ summary: "Filter projects by <domain> (name or ID)" }),
    parent: Flags.string({ summary: "Filter projects whose parent is <parent> (name or ID)" }),
    user: Flags.string({ summary: "Filter projects by <user> (name or ID)" }),
    "my-projects": Flags.boolean({ summary: "List projects for the authenticated user. Supersedes other filters." }),
    long: Flags.boolean({ summary: "List additional fields in output" }),
  };

  async run(): Promise<void> {
    const id = this.identity();
    const columns = this.flags.long ? ["ID", "Name", "Domain ID", "Description", "Enabled"] : ["ID", "Name"];
    const domainId = await id.domainId(this.flags.domain);
    const parentId = this.flags.parent ? (await id.findProject(this.flags.parent)).id : undefined;
    let userId = this.flags.user ? (await id.find("users", this.flags.user, { domainId })).id : undefined;
    let query: Record<string, string | undefined> = { domain_id: domainId, parent_id: parentId };
    if (this.flags["my-projects"]) {
      userId = (await this.session().authRef()).userId;
      query = {};
    }
    let data: Entity[];
    if (userId) data = await id.list(`users/${userId}/projects`, query, "projects");
    else {
      try {
        data = await id.list("projects", query);
      } catch (err) {
        // Without filters, a non-admin is taken to want their own projects (as the openstack client does).
        if (!(err instanceof ApiError && err.status === 403) || domainId || parentId) throw err;
        data = await id.list(`users/${(await this.session().authRef()).userId}/projects`, {}, "projects");
      }
    }
    await this.printList(
      columns,
      data.map((p) => props(p, columns)),
    );
  }
}
