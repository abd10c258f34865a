import { createWriteStream } from "node:fs";
import { pipeline } from "node:stream/promises";
import { Args, Flags } from "@oclif/core";
import { ImageCommand } from "../../engine/image/cli-command.js";
import { progressBar } from "../../engine/image/progress.js";

export default class ImageSave extends ImageCommand<typeof ImageSave> {
  static override summary = "Save an image locally";
  static override args = { image: Args.string({ required: true, description: "Image to save (name or ID)" }) };
  static override flags = {
    file: Flags.string({ summary: "Downloaded image save filename (default: stdout)" }),
    progress: Flags.boolean({ summary: "Show download progress bar (on a terminal, to stderr)" }),
  };

  async run(): Promise<void> {
    const image = await this.images.find(this.args.image);
    const data = await this.images.download(image.id);
    if (!data) throw new Error(`Image ${image.id} has no data.`);
    // A few MiB of buffer lets the disk write overlap with receiving (16 KiB made each wait for the other).
    const out = this.flags.file ? createWriteStream(this.flags.file, { highWaterMark: 4 * 1024 * 1024 }) : process.stdout;
    if (this.flags.progress) await pipeline(data, progressBar(Number(image.size ?? 0)), out);
    else await pipeline(data, out);
  }
}
