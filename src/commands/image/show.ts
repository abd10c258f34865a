import { Args, Flags } from "@oclif/core";
import { formatImage } from "../../engine/image/cli-format.js";
import { ImageCommand } from "../../engine/image/cli-command.js";

export default class ImageShow extends ImageCommand<typeof ImageShow> {
  static override summary = "Display image details";
  static override args = { image: Args.string({ required: true, description: "Image to display (name or ID)" }) };
  static override flags = { "human-readable": Flags.boolean({ summary: "Print image size in a human-friendly format." }) };

  async run(): Promise<void> {
    const image = await this.images.find(this.args.image);
    const row = formatImage(image, this.flags.format);
    if (this.flags["human-readable"] && typeof image.size === "number") row.size = humanSize(image.size);
    await this.printOne(row);
  }
}

/** osc-lib's format_size: 1024-based, one decimal, suffixes K, M, G… */
function humanSize(n: number): string {
  const suffixes = ["", "K", "M", "G", "T", "P", "E", "Z"];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < suffixes.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? String(n) : `${v.toFixed(1).replace(/\.0$/, "")}${suffixes[i]}`;
}
