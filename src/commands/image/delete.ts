import { Args } from "@oclif/core";
import { ImageCommand } from "../../engine/image/cli-command.js";

export default class ImageDelete extends ImageCommand<typeof ImageDelete> {
  static override summary = "Delete image(s)";
  static override strict = false;
  static override args = { image: Args.string({ required: true, description: "Image(s) to delete (name or ID)" }) };

  async run(): Promise<void> {
    await this.forEach(
      this.positionals,
      async (name) => this.images.remove((await this.images.find(name)).id),
      (name, e) => `Failed to delete image with name or ID '${name}': ${e.message}`,
      (n, total) => `Failed to delete ${n} of ${total} images.`,
    );
  }
}
