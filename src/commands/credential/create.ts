import { Args, Flags } from "@oclif/core";
import { ClientCommand } from "../../cli/client-command.js";
import { showable } from "../../client/identity.js";

export default class CredentialCreate extends ClientCommand<typeof CredentialCreate> {
  static override summary = "Create new credential";
  static override args = {
    user: Args.string({ required: true, description: "user that owns the credential (name or ID)" }),
    data: Args.string({ required: true, description: "New credential data" }),
  };
  static override flags = {
    type: Flags.string({ default: "cert", summary: "New credential type: cert, ec2, totp and so on" }),
    project: Flags.string({ summary: "Project which limits the scope of the credential (name or ID)" }),
  };

  async run(): Promise<void> {
    const id = this.identity();
    const user = await id.find("users", this.args.user);
    const project = this.flags.project ? (await id.find("projects", this.flags.project)).id : undefined;
    const cred = await id.create("credentials", { user_id: user.id, type: this.flags.type, blob: this.args.data, project_id: project });
    await this.printOne(showable(cred));
  }
}
