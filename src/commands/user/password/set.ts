import { Flags } from "@oclif/core";
import { ClientCommand } from "../../../cli/client-command.js";
import { readSecret } from "../../../client/format.js";

export default class UserPasswordSet extends ClientCommand<typeof UserPasswordSet> {
  static override summary = "Change current user password";
  static override flags = {
    password: Flags.string({ summary: "New user password" }),
    "original-password": Flags.string({ summary: "Original user password" }),
  };

  async run(): Promise<void> {
    const current = this.flags["original-password"] ?? (await readSecret("Current Password:"));
    const password = this.flags.password ?? (await readSecret("New Password:"));
    if (password === "") process.stderr.write("No password was supplied, authentication will fail when a user does not have a password.\n");
    const session = this.session();
    const ref = await session.authRef();
    await session.post("identity", `/users/${ref.userId}/password`, { user: { password, original_password: current } });
    // The old token is revoked by the password change; do not hand it out again from the cache.
    session.invalidate();
  }
}
