import { Args, Flags } from "@oclif/core";
import { ApiError } from "../../client/errors.js";
import { CommandError } from "../../client/identity.js";
import { type Resource, SDK_MAX, sdkKeypairView } from "../../client/compute.js";
import { ComputeCommand, needVersion } from "../../cli/compute-command.js";

export default class KeypairShow extends ComputeCommand<typeof KeypairShow> {
  static override summary = "Display key details";
  static override args = { name: Args.string({ required: true, description: "Public or private key to display (name only)" }) };
  static override flags = {
    "public-key": Flags.boolean({ summary: "Show only bare public key paired with the generated key" }),
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
    let keypair: Resource;
    try {
      keypair = (await compute.get<{ keypair: Resource }>(`/os-keypairs/${encodeURIComponent(this.args.name)}`, { user_id: userId }))
        .keypair;
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) throw new CommandError(`No Keypair found for ${this.args.name}`);
      throw e;
    }
    if (this.flags["public-key"]) {
      process.stdout.write(String(keypair.public_key ?? ""));
      return;
    }
    await this.printOne(sdkKeypairView(keypair, { publicKey: true }));
  }
}
