import { Args } from "@oclif/core";
import { ClientCommand } from "../../cli/client-command.js";
import { showable } from "../../client/identity.js";

export default class CredentialShow extends ClientCommand<typeof CredentialShow> {
  static override summary = "Display credential details";
  static override args = { credential: Args.string({ required: true, description: "ID of credential to display" }) };

  async run(): Promise<void> {
    await this.printOne(showable(await this.identity().find("credentials", this.args.credential)));
  }
}
