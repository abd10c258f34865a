import { Args, Flags } from "@oclif/core";
import { ComputeCommand, keyValues, needVersion, requireDescriptionSupport } from "../../cli/compute-command.js";

export default class ServerSet extends ComputeCommand<typeof ServerSet> {
  static override summary = "Set server properties";
  static override args = { server: Args.string({ required: true, description: "Server (name or ID)" }) };
  static override flags = {
    name: Flags.string({ summary: "New server name" }),
    password: Flags.string({ summary: "Set the server's root/admin password" }),
    property: Flags.string({
      multiple: true,
      multipleNonGreedy: true,
      summary: "Property to add/change for this server (repeat option to set multiple properties)",
    }),
    state: Flags.option({ options: ["active", "error"] as const, summary: "New server state (valid value: active, error)" })(),
    description: Flags.string({ summary: "New server description (supported by --os-compute-api-version 2.19 or above)" }),
    tag: Flags.string({
      multiple: true,
      multipleNonGreedy: true,
      summary: "Tag for the server. (supported by --os-compute-api-version 2.26 or above)",
    }),
  };

  async run(): Promise<void> {
    const f = this.flags;
    const compute = this.compute();
    if (f.description) requireDescriptionSupport(compute);
    if (f.tag?.length && !compute.atLeast("2.26")) throw needVersion("2.26", "--tag option");
    const server = await compute.findServer(this.args.server);
    const id = String(server.id);
    const update: Record<string, unknown> = {};
    if (f.name) update.name = f.name;
    if (f.description) update.description = f.description;
    if (Object.keys(update).length) await compute.call("PUT", `/servers/${id}`, { body: { server: update } });
    const props = keyValues(f.property);
    if (Object.keys(props).length) await compute.call("POST", `/servers/${id}/metadata`, { body: { metadata: props } });
    if (f.state) await compute.action(id, { "os-resetState": { state: f.state } });
    if (f.password) await compute.action(id, { changePassword: { adminPass: f.password } });
    for (const tag of f.tag ?? []) await compute.call("PUT", `/servers/${id}/tags/${encodeURIComponent(tag)}`);
  }
}
