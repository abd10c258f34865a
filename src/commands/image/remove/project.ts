import { Args } from "@oclif/core";
import { ImageCommand } from "../../../engine/image/cli-command.js";

export default class ImageRemoveProject extends ImageCommand<typeof ImageRemoveProject> {
  static override summary = "Disassociate project with image";
  static override args = {
    image: Args.string({ required: true, description: "Image to unshare (name or ID)" }),
    project: Args.string({ required: true, description: "Project to disassociate with image (ID)" }),
  };

  async run(): Promise<void> {
    const image = await this.images.find(this.args.image);
    await this.images.removeMember(image.id, this.args.project);
  }
}
