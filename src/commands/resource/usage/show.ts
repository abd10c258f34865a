import { Args, Flags } from "@oclif/core";
import { PlacementCommand } from "../../../cli/placement-command.js";

export default class ResourceUsageShow extends PlacementCommand<typeof ResourceUsageShow> {
  static override summary = "Show resource usages for a project (and optionally user) per class.";
  static override description = "Requires --os-placement-api-version 1.9.";
  static override args = { project_id: Args.string({ required: true, description: "ID of the project" }) };
  static override flags = { "user-id": Flags.string({ summary: "ID of the user" }) };

  async run(): Promise<void> {
    await this.requireAtLeast(9);
    const query: Record<string, string> = { project_id: this.args.project_id };
    if (this.flags["user-id"]) query.user_id = this.flags["user-id"];
    const { usages } = await this.placement("GET", "/usages", { query });
    await this.printList(
      ["resource_class", "usage"],
      Object.entries(usages as Record<string, number>).map(([rc, usage]) => ({ resource_class: rc, usage })),
    );
  }
}
