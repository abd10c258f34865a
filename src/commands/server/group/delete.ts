import { Args } from "@oclif/core";
import { SDK_MAX } from "../../../client/compute.js";
import { ComputeCommand } from "../../../cli/compute-command.js";

export default class ServerGroupDelete extends ComputeCommand<typeof ServerGroupDelete> {
  static override summary = "Delete existing server group(s).";
  static override strict = false;
  static override args = { "server-group": Args.string({ required: true, description: "server group(s) to delete (name or ID)" }) };

  async run(): Promise<void> {
    const compute = await this.sdk(SDK_MAX.serverGroup);
    await this.forEach(
      this.positionals,
      async (name) => {
        const group = await compute.findServerGroup(name);
        await compute.call("DELETE", `/os-server-groups/${encodeURIComponent(String(group.id))}`);
      },
      (_item, e) => e.message,
      (n, total) => `${n} of ${total} server groups failed to delete.`,
    );
  }
}
