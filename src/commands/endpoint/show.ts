import { Args } from "@oclif/core";
import { ClientCommand } from "../../cli/client-command.js";
import { showable } from "../../client/identity.js";

export default class EndpointShow extends ClientCommand<typeof EndpointShow> {
  static override summary = "Display endpoint details";
  static override args = {
    endpoint: Args.string({ required: true, description: "Endpoint to display (endpoint ID, service ID, service name, service type)" }),
  };

  async run(): Promise<void> {
    const id = this.identity();
    const ep = await id.find("endpoints", this.args.endpoint);
    const svc = await id.findService(ep.service_id);
    await this.printOne(showable({ ...ep, service_name: svc.name ?? "", service_type: svc.type }));
  }
}
