import { createHash } from "node:crypto";
import { createReadStream, statSync } from "node:fs";
import { Args, Flags } from "@oclif/core";
import { formatImage } from "../../engine/image/cli-format.js";
import { ImageCommand, parseProperties, visibilityOf } from "../../engine/image/cli-command.js";

const VIS = ["public", "private", "community", "shared"];
const visFlag = (name: string, summary: string) => Flags.boolean({ summary, exclusive: VIS.filter((v) => v !== name) });

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
    "min-disk": Flags.integer({ summary: "Minimum disk size needed to boot image, in gigabytes" }),
    "min-ram": Flags.integer({ summary: "Minimum RAM size needed to boot image, in megabytes" }),
    file: Flags.string({ summary: "Upload image from local file" }),
    protected: Flags.boolean({ summary: "Prevent image from being deleted", exclusive: ["unprotected"] }),
    unprotected: Flags.boolean({ summary: "Allow image to be deleted (default)" }),
    public: visFlag("public", "Image is accessible to the public"),
    private: visFlag("private", "Image is inaccessible to the public (default)"),
    community: visFlag("community", "Image is accessible to the community"),
    shared: visFlag("shared", "Image can be shared"),
    property: Flags.string({
      summary: "Set a property on this image (repeat option to set multiple properties)",
      multiple: true,
      multipleNonGreedy: true,
    }),
    tag: Flags.string({ summary: "Set a tag on this image (repeat option to set multiple tags)", multiple: true, multipleNonGreedy: true }),
    project: Flags.string({ summary: "Set an alternate project on this image (ID)" }),
  };

  async run(): Promise<void> {
    const f = this.flags;
    const body: Record<string, unknown> = {
      name: this.args.name,
      container_format: f["container-format"],
      disk_format: f["disk-format"],
      ...parseProperties(f.property),
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
    if (f.file) {
      // openstacksdk records the uploader's own checksums as properties before uploading.
      statSync(f.file);
      const md5 = createHash("md5");
      const sha256 = createHash("sha256");
      for await (const chunk of createReadStream(f.file)) {
        md5.update(chunk as Buffer);
        sha256.update(chunk as Buffer);
      }
      body["owner_specified.openstack.md5"] = md5.digest("hex");
      body["owner_specified.openstack.sha256"] = sha256.digest("hex");
      body["owner_specified.openstack.object"] = `images/${this.args.name}`;
    }
    let image = await this.images.create(body);
    if (f.file) {
      await this.images.upload(image.id, createReadStream(f.file));
      image = await this.images.get(image.id);
    }
    await this.printOne(formatImage(image, f.format));
  }
}
