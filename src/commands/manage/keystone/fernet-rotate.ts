import { BaseCommand } from "../../../cli/base-command.js";
import { setFlag, stateDirFlag } from "../../../cli/flags.js";
import { loadConfig } from "../../../engine/common/config/config.js";
import { layout, stateDir } from "../../../engine/common/paths.js";
import { rotateKeys } from "../../../engine/identity/token/index.js";

export default class KeystoneFernetRotate extends BaseCommand<typeof KeystoneFernetRotate> {
  static override summary = "Rotate the Fernet keys (keystone-manage fernet_rotate).";
  static override description =
    "Promotes the staged key 0 to primary, writes a new staged key, and removes the oldest keys beyond [fernet_tokens] max_active_keys. " +
    "Tokens encrypted with a key that is still in the repository keep validating; a running keystone picks the new keys up by itself.";
  static override examples = ["<%= config.bin %> manage keystone fernet-rotate"];
  static override flags = { "state-dir": stateDirFlag, set: setFlag };

  async run(): Promise<void> {
    const l = layout(stateDir(this.flags["state-dir"]));
    const config = loadConfig(l.config, this.flags.set ?? []);
    const res = rotateKeys(l.fernetKeys, config.int("fernet_tokens", "max_active_keys"));
    this.log(`New primary key: ${res.primary}${res.removed.length ? `; removed key(s) ${res.removed.join(", ")}` : ""}`);
  }
}
