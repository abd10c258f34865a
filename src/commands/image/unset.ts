import { Args, Flags } from "@oclif/core";
import { ApiError } from "../../client/index.js";
import { ImageCommand } from "../../engine/image/cli-command.js";

/** Attributes `--property` never removes: Glance's own, which are not properties. */
const CORE = new Set([
  "id",
  "name",
  "status",
  "visibility",
  "protected",
  "tags",
  "owner",
  "created_at",
  "updated_at",
  "file",
  "schema",
  "self",
  "size",
  "virtual_size",
  "checksum",
  "disk_format",
  "container_format",
  "min_disk",
  "min_ram",
  "locations",
  "direct_url",
]);

export default class ImageUnset extends ImageCommand<typeof ImageUnset> {
  static override summary = "Unset image tags and properties";
  static override examples = ["<%= config.bin %> image unset --tag web --property hw_disk_bus cirros"];
  static override args = { image: Args.string({ required: true, description: "Image to modify (name or ID)" }) };
  static override flags = {
    tag: Flags.string({
      summary: "Unset a tag on this image (repeat option to unset multiple tags)",
      multiple: true,
      multipleNonGreedy: true,
    }),
    property: Flags.string({
      summary: "Unset a property on this image (repeat option to unset multiple properties)",
      multiple: true,
      multipleNonGreedy: true,
    }),
  };

  async run(): Promise<void> {
    const tags = this.flags.tag ?? [];
    const properties = this.flags.property ?? [];
    const image = await this.images.find(this.args.image);
    // Like the openstack client: each missing tag or property is one error line; the rest still go.
    let tagFailures = 0;
    for (const tag of tags) {
      try {
        await this.images.removeTag(image.id, tag);
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        process.stderr.write(`tag unset failed, '${tag}' is a nonexistent tag \n`);
        tagFailures++;
      }
    }
    let propFailures = 0;
    const ops: Array<Record<string, unknown>> = [];
    for (const key of properties) {
      if (key in image && !CORE.has(key)) ops.push({ op: "remove", path: `/${key}` });
      else {
        process.stderr.write(`property unset failed, '${key}' is a nonexistent property \n`);
        propFailures++;
      }
    }
    if (ops.length) await this.images.patch(image.id, ops);
    if (tagFailures && propFailures)
      throw new Error(`Failed to unset ${propFailures} of ${properties.length} properties and ${tagFailures} of ${tags.length} tags.`);
    if (tagFailures) throw new Error(`Failed to unset ${tagFailures} of ${tags.length} tags.`);
    if (propFailures) throw new Error(`Failed to unset ${propFailures} of ${properties.length} properties.`);
  }
}
