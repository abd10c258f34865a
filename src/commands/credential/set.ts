import { Args, Flags } from "@oclif/core";
import { ClientCommand } from "../../cli/client-command.js";

export default class CredentialSet extends ClientCommand<typeof CredentialSet> {
  static override summary = "Set credential properties";
  static override args = { credential: Args.string({ required: true, description: "ID of credential to change" }) };
  static override flags = {
    user: Flags.string({ required: true, summary: "User that owns the credential (name or ID)" }),
    type: Flags.string({ required: true, summary: "New credential type: cert, ec2, totp and so on" }),
    data: Flags.string({ required: true, summary: "New credential data" }),
    project: Flags.string({ summary: "Project which limits the scope of the credential (name or ID)" }),
  };

  async run(): Promise<void> {
    const id = this.identity();
    const user = await id.find("users", this.flags.user);
    const project = this.flags.project ? (await id.find("projects", this.flags.project)).id : undefined;
    await id.update("credentials", this.args.credential, {
      user_id: user.id,
      type: this.flags.type,
      blob: this.flags.data,
      project_id: project,
    });
  }
}
