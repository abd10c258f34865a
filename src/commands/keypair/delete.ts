import { Args, Flags } from "@oclif/core";
import { SDK_MAX } from "../../client/compute.js";
import { ApiError } from "../../client/errors.js";
import { ComputeCommand, needVersion } from "../../cli/compute-command.js";

export default class KeypairDelete extends ComputeCommand<typeof KeypairDelete> {
  static override summary = "Delete public or private key(s)";
  static override strict = false;
  static override args = { name: Args.string({ required: true, description: "Name of key(s) to delete (name only)" }) };
  static override flags = {
    user: Flags.string({
      summary: "The owner of the keypair. (admin only) (name or ID). Requires ``--os-compute-api-version`` 2.10 or greater.",
    }),
  };

  async run(): Promise<void> {
    const compute = await this.sdk(SDK_MAX.keypair);
    let userId: string | undefined;
    if (this.flags.user) {
      if (!compute.atLeast("2.10")) throw needVersion("2.10", "--user option");
      userId = (await this.identity().find("users", this.flags.user)).id;
    }
    await this.forEach(
      this.positionals,
      async (name) => {
        try {
          await compute.call("DELETE", `/os-keypairs/${encodeURIComponent(name)}`, { query: { user_id: userId } });
        } catch (e) {
          if (e instanceof ApiError && e.status === 404) throw new Error(`No Keypair found for ${name}`);
          throw e;
        }
      },
      (item, e) => `Failed to delete key with name '${item}': ${e.message}`,
      (n, total) => `${n} of ${total} keys failed to delete.`,
    );
  }
}
