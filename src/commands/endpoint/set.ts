import { Args, Flags } from "@oclif/core";
import { ClientCommand } from "../../cli/client-command.js";

export default class EndpointSet extends ClientCommand<typeof EndpointSet> {
  static override summary = "Set endpoint properties";
  static override args = { endpoint: Args.string({ required: true, description: "Endpoint to modify (ID only)" }) };
  static override flags = {
    region: Flags.string({ summary: "New endpoint region ID" }),
    interface: Flags.string({
      options: ["admin", "public", "internal"],
      summary: "New endpoint interface type (admin, public or internal)",
    }),
    url: Flags.string({ summary: "New endpoint URL" }),
    service: Flags.string({ summary: "New endpoint service (name or ID)" }),
    enable: Flags.boolean({ summary: "Enable endpoint", exclusive: ["disable"] }),
    disable: Flags.boolean({ summary: "Disable endpoint" }),
  };

  async run(): Promise<void> {
    const id = this.identity();
    const ep = await id.find("endpoints", this.args.endpoint);
    const body: Record<string, unknown> = {};
    if (this.flags.service) body.service_id = (await id.findService(this.flags.service)).id;
    if (this.flags.url) body.url = this.flags.url;
    if (this.flags.interface) body.interface = this.flags.interface;
    if (this.flags.region) body.region_id = this.flags.region;
    if (this.flags.enable) body.enabled = true;
    if (this.flags.disable) body.enabled = false;
    await id.update("endpoints", ep.id, body);
  }
}
