import { Args } from "@oclif/core";
import { formatMember } from "../../../engine/image/cli-format.js";
import { ImageCommand } from "../../../engine/image/cli-command.js";

export default class ImageAddProject extends ImageCommand<typeof ImageAddProject> {
  static override summary = "Associate project with image";
  static override args = {
    image: Args.string({ required: true, description: "Image to share (name or ID)" }),
    project: Args.string({ required: true, description: "Project to associate with image (ID)" }),
  };

  async run(): Promise<void> {
    const image = await this.images.find(this.args.image);
    await this.printOne(formatMember(await this.images.addMember(image.id, this.args.project)));
  }
}
