import { BaseCommand } from "../../cli/base-command.js";
import { stateDirFlag } from "../../cli/flags.js";
import { stateDir } from "../../engine/common/paths.js";
import { cloudStatus } from "../../engine/cloud/control.js";
import { statusRows, STATUS_COLUMNS } from "../../engine/cloud/status-rows.js";

export default class CloudStatus extends BaseCommand<typeof CloudStatus> {
  static override summary = "List the local cloud's services (like `systemctl | grep nova`)";
  static override examples = ["<%= config.bin %> cloud status", "<%= config.bin %> cloud status -f json"];
  static override flags = { "state-dir": stateDirFlag };

  async run(): Promise<void> {
    const dir = stateDir(this.flags["state-dir"]);
    const { running, state } = cloudStatus(dir);
    if (!state) {
      this.error(`no cloud in ${dir}: run 'os cloud up'`, { exit: 1 });
    }
    await this.printList(STATUS_COLUMNS, statusRows(state));
    if (!running && this.flags.format === "table") this.logToStderr(`the cloud in ${dir} is down`);
  }
}
