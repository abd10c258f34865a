import { Args } from "@oclif/core";
import { type Resource, SDK_MAX, flavorExtraSpecs, sdkFlavorView } from "../../client/compute.js";
import { ComputeCommand } from "../../cli/compute-command.js";

export default class FlavorShow extends ComputeCommand<typeof FlavorShow> {
  static override summary = "Display flavor details";
  static override args = { flavor: Args.string({ required: true, description: "Flavor to display (name or ID)" }) };

  async run(): Promise<void> {
    const compute = await this.sdk(SDK_MAX.flavor);
    const flavor = await compute.findFlavor(this.args.flavor);
    let ids: string[] | null = null;
    if (flavor["os-flavor-access:is_public"] === false) {
      try {
        const access = await compute.get<{ flavor_access: Resource[] }>(
          `/flavors/${encodeURIComponent(String(flavor.id))}/os-flavor-access`,
        );
        ids = (access.flavor_access ?? []).map((a) => String(a.tenant_id));
      } catch (e) {
        process.stderr.write(`Failed to get access projects list for flavor '${this.args.flavor}': ${(e as Error).message}\n`);
      }
    }
    await this.printOne(sdkFlavorView(flavor, await flavorExtraSpecs(compute, flavor), { ids }));
  }
}
