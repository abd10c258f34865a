import { Args, Flags } from "@oclif/core";
import { ClientCommand } from "../../cli/client-command.js";

export default class ServiceSet extends ClientCommand<typeof ServiceSet> {
  static override summary = "Set service properties";
  static override args = { service: Args.string({ required: true, description: "Service to modify (type, name or ID)" }) };
  static override flags = {
    type: Flags.string({ summary: "New service type (compute, image, identity, volume, etc)" }),
    name: Flags.string({ summary: "New service name" }),
    description: Flags.string({ summary: "New service description" }),
    enable: Flags.boolean({ summary: "Enable service", exclusive: ["disable"] }),
    disable: Flags.boolean({ summary: "Disable service" }),
  };

  async run(): Promise<void> {
    const id = this.identity();
    const svc = await id.findService(this.args.service);
    const body: Record<string, unknown> = {};
    if (this.flags.type) body.type = this.flags.type;
    if (this.flags.name) body.name = this.flags.name;
    if (this.flags.description) body.description = this.flags.description;
    if (this.flags.enable) body.enabled = true;
    if (this.flags.disable) body.enabled = false;
    await id.update("services", svc.id, body);
  }
}
