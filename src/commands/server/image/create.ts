import { Args, Flags } from "@oclif/core";
import { SDK_MAX } from "../../../client/compute.js";
import { ComputeCommand, keyValues } from "../../../cli/compute-command.js";
import { formatImage } from "../../../engine/image/cli-format.js";

export default class ServerImageCreate extends ComputeCommand<typeof ServerImageCreate> {
  static override summary = "Create a new server disk image from an existing server";
  static override args = { server: Args.string({ required: true, description: "Server to create image (name or ID)" }) };
  static override flags = {
    name: Flags.string({ summary: "Name of new disk image (default: server name)" }),
    property: Flags.string({
      multiple: true,
      multipleNonGreedy: true,
      summary: "Set a new property to meta_data.json on the metadata server (repeat option to set multiple values)",
    }),
    wait: Flags.boolean({ summary: "Wait for operation to complete" }),
  };

  async run(): Promise<void> {
    const compute = await this.sdk(SDK_MAX.server);
    const server = await compute.findServer(this.args.server);
    const name = this.flags.name ?? String(server.name);
    const body: Record<string, unknown> = { name };
    const meta = keyValues(this.flags.property);
    if (Object.keys(meta).length) body.metadata = meta;
    const res = await compute.session.request<{ image_id?: string }>("compute", "POST", `/servers/${server.id}/action`, {
      body: { createImage: body },
      microversion: compute.microversion,
    });
    // 2.45+ answers {"image_id"}; before that the image URL is in the Location header.
    const location = String(res.headers.location ?? "");
    const imageId = res.body?.image_id ?? location.split("/").pop();
    if (!imageId) throw new Error("The compute API did not say which image it created");
    if (this.flags.wait) {
      for (;;) {
        const image = await compute.getImage(imageId);
        const status = String(image.status ?? "").toLowerCase();
        if (status === "active") break;
        if (["error", "killed", "deleted"].includes(status)) throw new Error(`Error creating server image: ${this.args.server}`);
        if (image.progress) process.stderr.write(`\rProgress: ${image.progress}`);
        await new Promise((r) => setTimeout(r, 500));
      }
      process.stderr.write("\n");
    }
    const image = await compute.getImage(imageId);
    const row = formatImage(image as never, this.flags.format) as Record<string, unknown>;
    await this.printOne(
      Object.fromEntries(
        Object.keys(row)
          .sort()
          .map((k) => [k, row[k]]),
      ),
    );
  }
}
