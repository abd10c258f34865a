import { Args } from "@oclif/core";
import { ClientCommand } from "../../cli/client-command.js";

export default class CredentialDelete extends ClientCommand<typeof CredentialDelete> {
  static override summary = "Delete credential(s)";
  static override strict = false;
  static override args = { credential: Args.string({ required: true, description: "ID of credential(s) to delete" }) };

  async run(): Promise<void> {
    const id = this.identity();
    await this.forEach(
      this.positionals,
      async (c) => id.remove("credentials", c),
      (c, e) => `Failed to delete credentials with ID '${c}': ${e.message}`,
      (n, total) => `${n} of ${total} credential failed to delete.`,
    );
  }
}
