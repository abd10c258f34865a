import { createReadStream, statSync } from "node:fs";
import { pipeline } from "node:stream/promises";
import { Args, Flags } from "@oclif/core";
import { formatImage } from "../../engine/image/cli-format.js";
import { ImageCommand, imageAttributeFlags, parseProperties, visibilityOf } from "../../engine/image/cli-command.js";
import { progressBar } from "../../engine/image/progress.js";

export default class ImageCreate extends ImageCommand<typeof ImageCreate> {
  static override summary = "Create/upload an image";
  static override examples = [
    "<%= config.bin %> image create --file cirros.qcow2 --disk-format qcow2 --container-format bare --public cirros",
  ];
  static override args = { name: Args.string({ required: true, description: "New image name" }) };
  static override flags = {
    id: Flags.string({ summary: "Image ID to reserve" }),
    "container-format": Flags.string({ summary: "Image container format (default: bare)", default: "bare" }),
    "disk-format": Flags.string({ summary: "Image disk format (default: raw)", default: "raw" }),
    file: Flags.string({ summary: "Upload image from local file" }),
    progress: Flags.boolean({ summary: "Show upload progress bar" }),
    ...imageAttributeFlags(),
  };

  async run(): Promise<void> {
    const f = this.flags;
    let size = 0;
    if (f.file) {
      // Like the openstack client: a missing file is refused before any image is created.
      try {
        size = statSync(f.file).size;
      } catch {
        throw new Error(`'${f.file}' is not a valid file`);
      }
    }
    // openstacksdk's create_image always records these; it hashes nothing unless asked to validate,
    // so the checksums stay empty, and the object name is `images/<name>`.
    const body: Record<string, unknown> = {
      name: this.args.name,
      container_format: f["container-format"],
      disk_format: f["disk-format"],
      ...parseProperties(f.property),
      "owner_specified.openstack.md5": "",
      "owner_specified.openstack.sha256": "",
      "owner_specified.openstack.object": `images/${this.args.name}`,
    };
    if (f.id) body.id = f.id;
    if (f["min-disk"] !== undefined) body.min_disk = f["min-disk"];
    if (f["min-ram"] !== undefined) body.min_ram = f["min-ram"];
    if (f.protected) body.protected = true;
    if (f.unprotected) body.protected = false;
    const visibility = visibilityOf(f);
    if (visibility) body.visibility = visibility;
    if (f.tag?.length) body.tags = f.tag;
    if (f.project) body.owner = f.project;
    const image = await this.images.create(body);
    if (f.file) {
      const data = createReadStream(f.file);
      try {
        if (f.progress) {
          const bar = progressBar(size);
          await Promise.all([pipeline(data, bar), this.images.upload(image.id, bar)]);
        } else await this.images.upload(image.id, data);
      } catch (err) {
        // openstacksdk deletes an image whose upload failed rather than leave it queued.
        data.destroy();
        await this.images.remove(image.id).catch(() => undefined);
        throw err;
      }
    }
    // The openstack client prints the image as the create call returned it (before the upload).
    await this.printOne(formatImage(image, f.format));
  }
}
