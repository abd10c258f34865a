import { Args, Flags } from "@oclif/core";
import { ImageCommand, imageAttributeFlags, parseProperties, visibilityOf } from "../../engine/image/cli-command.js";

export default class ImageSet extends ImageCommand<typeof ImageSet> {
  static override summary = "Set image properties";
  static override args = { image: Args.string({ required: true, description: "Image to modify (name or ID)" }) };
  static override flags = {
    name: Flags.string({ summary: "New image name" }),
    "container-format": Flags.string({ summary: "Image container format" }),
    "disk-format": Flags.string({ summary: "Image disk format" }),
    ...imageAttributeFlags(),
    activate: Flags.boolean({ summary: "Activate the image", exclusive: ["deactivate"] }),
    deactivate: Flags.boolean({ summary: "Deactivate the image" }),
    accept: Flags.boolean({ summary: "Accept the image membership", exclusive: ["reject", "pending"] }),
    reject: Flags.boolean({ summary: "Reject the image membership", exclusive: ["pending"] }),
    pending: Flags.boolean({ summary: "Reset the image membership to 'pending'" }),
  };

  async run(): Promise<void> {
    const f = this.flags;
    const image = await this.images.find(this.args.image);
    const wanted: Record<string, unknown> = { ...parseProperties(f.property) };
    if (f.name !== undefined) wanted.name = f.name;
    if (f["min-disk"] !== undefined) wanted.min_disk = f["min-disk"];
    if (f["min-ram"] !== undefined) wanted.min_ram = f["min-ram"];
    if (f["container-format"]) wanted.container_format = f["container-format"];
    if (f["disk-format"]) wanted.disk_format = f["disk-format"];
    if (f.protected) wanted.protected = true;
    if (f.unprotected) wanted.protected = false;
    const visibility = visibilityOf(f);
    if (visibility) wanted.visibility = visibility;
    if (f.project) wanted.owner = f.project;
    if (f.tag?.length) wanted.tags = [...new Set([...(image.tags ?? []), ...f.tag])];
    // Membership answers and activation are separate calls, made before the attribute update.
    const status = f.accept ? "accepted" : f.reject ? "rejected" : f.pending ? "pending" : undefined;
    if (status) await this.images.setMemberStatus(image.id, await this.images.currentProject(), status);
    if (f.deactivate) await this.images.action(image.id, "deactivate");
    if (f.activate) await this.images.action(image.id, "reactivate");
    const ops = Object.entries(wanted)
      .filter(([k, v]) => JSON.stringify(image[k]) !== JSON.stringify(v))
      .map(([k, v]) => ({ op: k in image ? "replace" : "add", path: `/${k}`, value: v }));
    if (ops.length) await this.images.patch(image.id, ops);
  }
}
