import { Args } from "@oclif/core";
import { ImageCommand } from "../../../engine/image/cli-command.js";

export default class ImageMemberList extends ImageCommand<typeof ImageMemberList> {
  static override summary = "List projects associated with image";
  static override args = { image: Args.string({ required: true, description: "Image (name or ID)" }) };

  async run(): Promise<void> {
    const image = await this.images.find(this.args.image);
    const members = await this.images.members(image.id);
    await this.printList(
      ["Image ID", "Member ID", "Status"],
      members.map((m) => ({ "Image ID": m.image_id, "Member ID": m.member_id, Status: m.status })),
    );
  }
}
