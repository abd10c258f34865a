import { BaseCommand } from "../../../cli/base-command.js";
import { setFlag, stateDirFlag } from "../../../cli/flags.js";
import { loadConfig } from "../../../engine/common/config/config.js";
import { layout, stateDir } from "../../../engine/common/paths.js";
import { ensureTokenKeys, tokenKeyDir } from "../../../engine/identity/keystone.js";

export default class KeystoneFernetSetup extends BaseCommand<typeof KeystoneFernetSetup> {
  static override summary = "Create the token key repository (keystone-manage fernet_setup).";
  static override description =
    "Creates the Fernet key repository (a staged key 0 and a primary key 1) under the state directory, or the ES256 key pair when [token] provider = jws. Does nothing if the keys exist.";
  static override examples = ["<%= config.bin %> manage keystone fernet-setup"];
  static override flags = { "state-dir": stateDirFlag, set: setFlag };

  async run(): Promise<void> {
    const l = layout(stateDir(this.flags["state-dir"]));
    const config = loadConfig(l.config, this.flags.set ?? []);
    const { kind, dir } = tokenKeyDir(config, l);
    const created = ensureTokenKeys(config, l);
    this.log(created ? `Created ${kind} key repository in ${dir}` : `Key repository ${dir} already exists; left as it is.`);
  }
}
