import { Args } from "@oclif/core";
import { ClientCommand } from "../../cli/client-command.js";

export default class EndpointDelete extends ClientCommand<typeof EndpointDelete> {
  static override summary = "Delete endpoint(s)";
  static override strict = false;
  static override args = { endpoint: Args.string({ required: true, description: "Endpoint(s) to delete (ID only)" }) };

  async run(): Promise<void> {
    const id = this.identity();
    await this.forEach(
      this.positionals,
      async (e) => id.remove("endpoints", (await id.find("endpoints", e)).id),
      (e, err) => `Failed to delete endpoint with ID '${e}': ${err.message}`,
      (n, total) => `${n} of ${total} endpoints failed to delete.`,
    );
  }
}
