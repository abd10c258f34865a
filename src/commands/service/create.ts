import { Args, Flags } from "@oclif/core";
import { ClientCommand } from "../../cli/client-command.js";
import { showable } from "../../client/identity.js";

export default class ServiceCreate extends ClientCommand<typeof ServiceCreate> {
  static override summary = "Create new service";
  static override args = { type: Args.string({ required: true, description: "New service type (compute, image, identity, volume, etc)" }) };
  static override flags = {
    name: Flags.string({ summary: "New service name" }),
    description: Flags.string({ summary: "New service description" }),
    enable: Flags.boolean({ summary: "Enable service (default)", exclusive: ["disable"] }),
    disable: Flags.boolean({ summary: "Disable service" }),
  };

  async run(): Promise<void> {
    const svc = await this.identity().create("services", {
      name: this.flags.name,
      type: this.args.type,
      description: this.flags.description,
      enabled: !this.flags.disable,
    });
    await this.printOne(showable(svc));
  }
}
