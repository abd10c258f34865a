import { Args, Flags } from "@oclif/core";
import { ClientCommand } from "../../cli/client-command.js";
import { showable } from "../../client/identity.js";

export default class EndpointCreate extends ClientCommand<typeof EndpointCreate> {
  static override summary = "Create new endpoint";
  static override args = {
    service: Args.string({ required: true, description: "Service to be associated with new endpoint (name or ID)" }),
    interface: Args.string({
      required: true,
      options: ["admin", "public", "internal"],
      description: "New endpoint interface type (admin, public or internal)",
    }),
    url: Args.string({ required: true, description: "New endpoint URL" }),
  };
  static override flags = {
    region: Flags.string({ summary: "New endpoint region ID" }),
    enable: Flags.boolean({ summary: "Enable endpoint (default)", exclusive: ["disable"] }),
    disable: Flags.boolean({ summary: "Disable endpoint" }),
  };

  async run(): Promise<void> {
    const id = this.identity();
    const svc = await id.findService(this.args.service);
    const ep = await id.create("endpoints", {
      service_id: svc.id,
      url: this.args.url,
      interface: this.args.interface,
      region_id: this.flags.region,
      enabled: !this.flags.disable,
    });
    await this.printOne(showable({ ...ep, service_name: svc.name ?? "", service_type: svc.type }));
  }
}
