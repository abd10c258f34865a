import { Args } from "@oclif/core";
import { ImageCommand } from "../../engine/image/cli-command.js";

export default class ImageDelete extends ImageCommand<typeof ImageDelete> {
  static override summary = "Delete image(s)";
  static override strict = false;
  static override args = { image: Args.string({ required: true, description: "Image(s) to delete (name or ID)" }) };

  async run(): Promise<void> {
    const names = this.argv.length ? this.argv.filter((a) => !a.startsWith("-")) : [this.args.image];
    let failed = 0;
    for (const name of names) {
      try {
        await this.images.remove((await this.images.find(name)).id);
      } catch (err) {
        failed++;
        this.logToStderr(`Failed to delete image with name or ID '${name}': ${(err as Error).message}`);
      }
    }
    if (failed) throw new Error(`${failed} of ${names.length} images failed to delete.`);
  }
}
