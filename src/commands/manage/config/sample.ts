import { Command } from "@oclif/core";
import { sampleConfig } from "../../../engine/common/config/config.js";

export default class ConfigSample extends Command {
  static override summary = "Print a pocketstack.conf with every option, its default and its help";
  async run(): Promise<void> {
    await this.parse(ConfigSample);
    process.stdout.write(sampleConfig());
  }
}
