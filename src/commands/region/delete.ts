import { Args } from "@oclif/core";
import { ClientCommand } from "../../cli/client-command.js";

export default class RegionDelete extends ClientCommand<typeof RegionDelete> {
  static override summary = "Delete region(s)";
  static override strict = false;
  static override args = { region: Args.string({ required: true, description: "Region ID(s) to delete" }) };

  async run(): Promise<void> {
    const id = this.identity();
    await this.forEach(
      this.positionals,
      async (r) => id.remove("regions", r),
      (r, e) => `Failed to delete region with ID '${r}': ${e.message}`,
      (n, total) => `${n} of ${total} regions failed to delete.`,
    );
  }
}
