import { Args } from "@oclif/core";
import { ClientCommand } from "../../cli/client-command.js";

export default class ServiceDelete extends ClientCommand<typeof ServiceDelete> {
  static override summary = "Delete service(s)";
  static override strict = false;
  static override args = { service: Args.string({ required: true, description: "Service(s) to delete (type, name or ID)" }) };

  async run(): Promise<void> {
    const id = this.identity();
    await this.forEach(
      this.positionals,
      async (s) => id.remove("services", (await id.findService(s)).id),
      (s, e) => `Failed to delete consumer with type, name or ID '${s}': ${e.message}`,
      (n, total) => `${n} of ${total} services failed to delete.`,
    );
  }
}
