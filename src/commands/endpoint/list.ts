import { Flags } from "@oclif/core";
import { ClientCommand, props } from "../../cli/client-command.js";
import type { Entity } from "../../client/identity.js";

export default class EndpointList extends ClientCommand<typeof EndpointList> {
  static override summary = "List endpoints";
  static override flags = {
    service: Flags.string({ summary: "Filter by service (type, name or ID)" }),
    interface: Flags.string({ options: ["admin", "public", "internal"], summary: "Filter by interface type (admin, public or internal)" }),
    region: Flags.string({ summary: "Filter by region ID" }),
    project: Flags.string({ summary: "Project to list filters (name or ID)" }),
    "project-domain": Flags.string({
      summary: "Domain the project belongs to (name or ID). This can be used in case collisions between project names exist.",
    }),
  };

  async run(): Promise<void> {
    const id = this.identity();
    const columns = ["ID", "Region", "Service Name", "Service Type", "Enabled", "Interface", "URL"];
    let data: Entity[];
    if (this.flags.project) {
      const project = await id.findProject(this.flags.project, this.flags["project-domain"]);
      data = await id.list(`OS-EP-FILTER/projects/${project.id}/endpoints`, undefined, "endpoints");
    } else {
      const serviceId = this.flags.service ? (await id.findService(this.flags.service)).id : undefined;
      data = await id.list("endpoints", { service_id: serviceId, interface: this.flags.interface, region_id: this.flags.region });
    }
    const services = new Map((await id.list("services")).map((s) => [s.id, s]));
    await this.printList(
      columns,
      data.map((ep) => {
        const svc = services.get(ep.service_id);
        return props({ ...ep, service_name: svc?.name ?? "", service_type: svc?.type ?? "" }, columns);
      }),
    );
  }
}
