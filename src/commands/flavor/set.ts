import { Args, Flags } from "@oclif/core";
import { SDK_MAX, flavorExtraSpecs } from "../../client/compute.js";
import { ComputeCommand, keyValues } from "../../cli/compute-command.js";

export default class FlavorSet extends ComputeCommand<typeof FlavorSet> {
  static override summary = "Set flavor properties";
  static override args = { flavor: Args.string({ required: true, description: "Flavor to modify (name or ID)" }) };
  static override flags = {
    "no-property": Flags.boolean({
      summary:
        "Remove all properties from this flavor (specify both --no-property and --property to remove the current properties before setting new properties.)",
    }),
    property: Flags.string({
      multiple: true,
      multipleNonGreedy: true,
      summary: "Property to add or modify for this flavor (repeat option to set multiple properties)",
    }),
    project: Flags.string({ summary: "Set flavor access to project (name or ID) (admin only)" }),
    description: Flags.string({ summary: "Set description for the flavor.(Supported by API versions '2.55' - '2.latest')" }),
  };

  async run(): Promise<void> {
    const f = this.flags;
    const compute = await this.sdk(SDK_MAX.flavor);
    const flavor = await compute.findFlavor(this.args.flavor);
    const id = encodeURIComponent(String(flavor.id));
    if (f.description) {
      if (!compute.atLeast("2.55")) throw new Error("The --description parameter requires server support for API microversion 2.55");
      await compute.call("PUT", `/flavors/${id}`, { body: { flavor: { description: f.description } } });
    }
    let failed = 0;
    const report = (what: string, e: unknown) => {
      failed++;
      process.stderr.write(`${what}: ${(e as Error).message}\n`);
    };
    if (f["no-property"])
      try {
        for (const key of Object.keys(await flavorExtraSpecs(compute, flavor)))
          await compute.call("DELETE", `/flavors/${id}/os-extra_specs/${encodeURIComponent(key)}`);
      } catch (e) {
        report("Failed to clear flavor properties", e);
      }
    const props = keyValues(f.property);
    if (Object.keys(props).length)
      try {
        await compute.call("POST", `/flavors/${id}/os-extra_specs`, { body: { extra_specs: props } });
      } catch (e) {
        report("Failed to set flavor properties", e);
      }
    if (f.project)
      try {
        if (flavor["os-flavor-access:is_public"] !== false) throw new Error("Cannot set access for a public flavor");
        const projectId = (await this.identity().find("projects", f.project)).id;
        await compute.call("POST", `/flavors/${id}/action`, { body: { addTenantAccess: { tenant: projectId } } });
      } catch (e) {
        report("Failed to set flavor access to project", e);
      }
    if (failed) throw new Error("Command Failed: One or more of the operations failed");
  }
}
