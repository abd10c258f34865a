import { Args } from "@oclif/core";
import { ClientCommand } from "../../../cli/client-command.js";
import { findAppCredential } from "../../../client/app-credentials.js";

export default class ApplicationCredentialDelete extends ClientCommand<typeof ApplicationCredentialDelete> {
  static override summary = "Delete application credentials(s)";
  static override strict = false;
  static override args = {
    "application-credential": Args.string({ required: true, description: "Application credentials(s) to delete (name or ID)" }),
  };

  async run(): Promise<void> {
    const session = this.session();
    const userId = (await session.authRef()).userId;
    await this.forEach(
      this.positionals,
      async (c) => {
        const cred = await findAppCredential(session, userId, c);
        await session.delete("identity", `/users/${userId}/application_credentials/${cred.id}`);
      },
      (c, e) => `Failed to delete application credential with name or ID '${c}': ${e.message}`,
      (n, total) => `${n} of ${total} application credentials failed to delete.`,
    );
  }
}
