import { Args, Flags } from "@oclif/core";
import { ComputeCommand, needVersion, requireDescriptionSupport } from "../../cli/compute-command.js";

export default class ServerUnset extends ComputeCommand<typeof ServerUnset> {
  static override summary = "Unset server properties and tags";
  static override args = { server: Args.string({ required: true, description: "Server (name or ID)" }) };
  static override flags = {
    property: Flags.string({
      multiple: true,
      multipleNonGreedy: true,
      summary: "Property key to remove from server (repeat option to remove multiple values)",
    }),
    description: Flags.boolean({ summary: "Unset server description (supported by --os-compute-api-version 2.19 or above)" }),
    tag: Flags.string({
      multiple: true,
      multipleNonGreedy: true,
      summary: "Tag to remove from the server. (supported by --os-compute-api-version 2.26 or above)",
    }),
  };

  async run(): Promise<void> {
    const f = this.flags;
    const compute = this.compute();
    if (f.description) requireDescriptionSupport(compute);
    if (f.tag?.length && !compute.atLeast("2.26")) throw needVersion("2.26", "--tag option");
    const server = await compute.findServer(this.args.server);
    const id = String(server.id);
    for (const key of f.property ?? []) await compute.call("DELETE", `/servers/${id}/metadata/${encodeURIComponent(key)}`);
    if (f.description) await compute.call("PUT", `/servers/${id}`, { body: { server: { description: null } } });
    for (const tag of f.tag ?? []) await compute.call("DELETE", `/servers/${id}/tags/${encodeURIComponent(tag)}`);
  }
}
