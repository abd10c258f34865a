import { Flags } from "@oclif/core";
import { PlacementCommand } from "../../cli/placement-command.js";

export default class TraitList extends PlacementCommand<typeof TraitList> {
  static override summary = "Return a list of valid trait strings.";
  static override description = "Requires --os-placement-api-version 1.6.";
  static override flags = {
    name: Flags.string({ summary: "A string to filter traits: startswith:CUSTOM or in:HW_CPU_X86_AVX,HW_CPU_X86_SSE" }),
    associated: Flags.boolean({ summary: "Only traits associated with at least one resource provider." }),
  };

  async run(): Promise<void> {
    await this.requireAtLeast(6);
    const query: Record<string, string> = {};
    if (this.flags.name) query.name = this.flags.name;
    // Python's str(True), as osc-placement sends it.
    if (this.flags.associated) query.associated = "True";
    const { traits } = await this.placement("GET", "/traits", { query });
    await this.printList(
      ["name"],
      (traits as string[]).map((name) => ({ name })),
    );
  }
}
