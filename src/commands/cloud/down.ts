import { Command } from "@oclif/core";
import { stateDirFlag } from "../../cli/flags.js";
import { stateDir } from "../../engine/common/paths.js";
import { cloudDown } from "../../engine/cloud/control.js";

export default class CloudDown extends Command {
  static override summary = "Stop the local cloud: exactly the processes `os cloud up` started";
  static override flags = { "state-dir": stateDirFlag };

  async run(): Promise<void> {
    const { flags } = await this.parse(CloudDown);
    const dir = stateDir(flags["state-dir"]);
    const stopped = await cloudDown(dir);
    this.log(stopped ? `stopped the cloud in ${dir}` : `no cloud is running in ${dir}`);
  }
}
