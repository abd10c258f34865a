import { Args } from "@oclif/core";
import { ClientCommand } from "../../cli/client-command.js";

export default class TokenRevoke extends ClientCommand<typeof TokenRevoke> {
  static override summary = "Revoke existing token";
  static override args = { token: Args.string({ required: true, description: "Token to be deleted" }) };

  async run(): Promise<void> {
    await this.session().delete("identity", "/auth/tokens", { headers: { "x-subject-token": this.args.token } });
  }
}
