import { Args } from "@oclif/core";
import { SDK_MAX } from "../../client/compute.js";
import { ComputeCommand } from "../../cli/compute-command.js";

export default class FlavorDelete extends ComputeCommand<typeof FlavorDelete> {
  static override summary = "Delete flavor(s)";
  static override strict = false;
  static override args = { flavor: Args.string({ required: true, description: "Flavor(s) to delete (name or ID)" }) };

  async run(): Promise<void> {
    const compute = await this.sdk(SDK_MAX.flavor);
    await this.forEach(
      this.positionals,
      async (name) => {
        const flavor = await compute.findFlavor(name);
        await compute.call("DELETE", `/flavors/${encodeURIComponent(String(flavor.id))}`);
      },
      (item, e) => `Failed to delete flavor with name or ID '${item}': ${e.message}`,
      (n, total) => `${n} of ${total} flavors failed to delete.`,
    );
  }
}
