import { Args } from "@oclif/core";
import { ClientCommand } from "../../../cli/client-command.js";
import { appCredentialView, findAppCredential } from "../../../client/app-credentials.js";

export default class ApplicationCredentialShow extends ClientCommand<typeof ApplicationCredentialShow> {
  static override summary = "Display application credential details";
  static override args = {
    "application-credential": Args.string({ required: true, description: "Application credential to display (name or ID)" }),
  };

  async run(): Promise<void> {
    const session = this.session();
    const userId = (await session.authRef()).userId;
    await this.printOne(appCredentialView(await findAppCredential(session, userId, this.args["application-credential"])));
  }
}
