import { Args, Flags } from "@oclif/core";
import { SDK_MAX } from "../../client/compute.js";
import { ComputeCommand } from "../../cli/compute-command.js";

export default class FlavorUnset extends ComputeCommand<typeof FlavorUnset> {
  static override summary = "Unset flavor properties";
  static override args = { flavor: Args.string({ required: true, description: "Flavor to modify (name or ID)" }) };
  static override flags = {
    property: Flags.string({
      multiple: true,
      multipleNonGreedy: true,
      summary: "Property to remove from flavor (repeat option to unset multiple properties)",
    }),
    project: Flags.string({ summary: "Remove flavor access from project (name or ID) (admin only)" }),
  };

  async run(): Promise<void> {
    const f = this.flags;
    const compute = await this.sdk(SDK_MAX.flavor);
    const flavor = await compute.findFlavor(this.args.flavor);
    const id = encodeURIComponent(String(flavor.id));
    let failed = 0;
    for (const key of f.property ?? [])
      try {
        await compute.call("DELETE", `/flavors/${id}/os-extra_specs/${encodeURIComponent(key)}`);
      } catch (e) {
        failed++;
        process.stderr.write(`Failed to unset flavor property: ${(e as Error).message}\n`);
      }
    if (f.project)
      try {
        if (flavor["os-flavor-access:is_public"] !== false) throw new Error("Cannot remove access for a public flavor");
        const projectId = (await this.identity().find("projects", f.project)).id;
        await compute.call("POST", `/flavors/${id}/action`, { body: { removeTenantAccess: { tenant: projectId } } });
      } catch (e) {
        failed++;
        process.stderr.write(`Failed to remove flavor access from project: ${(e as Error).message}\n`);
      }
    if (failed) throw new Error("Command Failed: One or more of the operations failed");
  }
}
