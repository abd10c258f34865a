import { Args, Flags } from "@oclif/core";
import { type Resource, prepServerDetail } from "../../client/compute.js";
import { ComputeCommand, keyValues, needVersion, requireDescriptionSupport } from "../../cli/compute-command.js";

export default class ServerRebuild extends ComputeCommand<typeof ServerRebuild> {
  static override summary = "Rebuild server";
  static override args = { server: Args.string({ required: true, description: "Server (name or ID)" }) };
  static override flags = {
    image: Flags.string({ summary: "Recreate server from the specified image (name or ID). Defaults to the currently used one." }),
    name: Flags.string({ summary: "Set the new name of the rebuilt server" }),
    password: Flags.string({ summary: "Set the password on the rebuilt server." }),
    property: Flags.string({
      multiple: true,
      multipleNonGreedy: true,
      summary: "Set a new property on the rebuilt server (repeat option to set multiple values)",
    }),
    description: Flags.string({
      summary: "Set a new description on the rebuilt server (supported by --os-compute-api-version 2.19 or above)",
    }),
    "key-name": Flags.string({ summary: "Set the key name of key pair on the rebuilt server (2.54+)", exclusive: ["no-key-name"] }),
    "no-key-name": Flags.boolean({ summary: "Unset the key name of key pair on the rebuilt server (2.54+)" }),
    wait: Flags.boolean({ summary: "Wait for rebuild to complete" }),
  };

  async run(): Promise<void> {
    const f = this.flags;
    const compute = this.compute();
    const server = await compute.findServer(this.args.server);
    const id = String(server.id);
    const imageId = f.image ? String((await compute.findImage(f.image)).id) : String(server.image?.id ?? "");
    if (!imageId) throw new Error("The server was booted from a volume: name an image with --image");
    const rebuild: Record<string, unknown> = { imageRef: imageId };
    if (f.name) rebuild.name = f.name;
    if (f.password) rebuild.adminPass = f.password;
    const meta = keyValues(f.property);
    if (Object.keys(meta).length) rebuild.metadata = meta;
    if (f.description) {
      requireDescriptionSupport(compute);
      rebuild.description = f.description;
    }
    if (f["key-name"] || f["no-key-name"]) {
      if (!compute.atLeast("2.54")) throw needVersion("2.54", f["key-name"] ? "--key-name option" : "--no-key-name option");
      rebuild.key_name = f["no-key-name"] ? null : f["key-name"];
    }
    const after = (await compute.action<{ server: Resource }>(id, { rebuild })).server;
    if (f.wait) {
      const { ok } = await compute.waitForStatus(id, {
        success: [String(server.status).toLowerCase() === "shutoff" ? "shutoff" : "active"],
        onPoll: (s) => this.progress(s),
      });
      if (!ok) {
        process.stderr.write(`Error rebuilding server: ${id}\n`);
        this.exit(1);
      }
      process.stderr.write("Complete\n");
    }
    await this.printOne(await prepServerDetail(compute, after));
  }
}
