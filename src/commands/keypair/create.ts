import { readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { Args, Flags } from "@oclif/core";
import { type Resource, SDK_MAX, sdkKeypairView } from "../../client/compute.js";
import { ComputeCommand, needVersion } from "../../cli/compute-command.js";

const expand = (p: string) => p.replace(/^~(?=$|\/)/, homedir());

export default class KeypairCreate extends ComputeCommand<typeof KeypairCreate> {
  static override summary = "Create new public or private key for server ssh access";
  static override examples = [
    "<%= config.bin %> keypair create mykey > mykey.pem",
    "<%= config.bin %> keypair create --public-key ~/.ssh/id_ed25519.pub mykey",
  ];
  static override args = { name: Args.string({ required: true, description: "New public or private key name" }) };
  static override flags = {
    "public-key": Flags.string({
      summary: "Filename for public key to add. If not used, generates a private key.",
      exclusive: ["private-key"],
    }),
    "private-key": Flags.string({ summary: "Filename for private key to save. If not used, print private key in console." }),
    type: Flags.option({
      options: ["ssh", "x509"] as const,
      summary: "Keypair type. Can be ssh or x509. (Supported by API versions '2.2' - '2.latest')",
    })(),
    user: Flags.string({
      summary: "The owner of the keypair. (admin only) (name or ID). Requires ``--os-compute-api-version`` 2.10 or greater.",
    }),
  };

  async run(): Promise<void> {
    const f = this.flags;
    const compute = await this.sdk(SDK_MAX.keypair);
    const keypair: Record<string, unknown> = { name: this.args.name };
    if (f["public-key"]) {
      try {
        keypair.public_key = readFileSync(expand(f["public-key"]), "utf8");
      } catch (e) {
        throw new Error(`Key file ${f["public-key"]} not found: ${(e as Error).message}`);
      }
    }
    if (f.type) {
      if (!compute.atLeast("2.2")) throw needVersion("2.2", "--type option");
      keypair.type = f.type;
    }
    if (f.user) {
      if (!compute.atLeast("2.10")) throw needVersion("2.10", "--user option");
      keypair.user_id = (await this.identity().find("users", f.user)).id;
    }
    const created = (await compute.call<{ keypair: Resource }>("POST", "/os-keypairs", { body: { keypair } })).keypair;
    if (f["private-key"]) {
      try {
        writeFileSync(expand(f["private-key"]), String(created.private_key ?? ""), { mode: 0o600 });
      } catch (e) {
        throw new Error(`Key file ${f["private-key"]} can not be saved: ${(e as Error).message}`);
      }
    }
    if (f["public-key"] || f["private-key"]) {
      await this.printOne(sdkKeypairView(created, { publicKey: true, privateKey: true }));
      return;
    }
    // Like the openstack client: the generated private key, as is, on stdout.
    process.stdout.write(String(created.private_key ?? ""));
  }
}
