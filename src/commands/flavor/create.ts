import { Args, Flags } from "@oclif/core";
import { type Resource, SDK_MAX, sdkFlavorView } from "../../client/compute.js";
import { ComputeCommand, keyValues } from "../../cli/compute-command.js";

export default class FlavorCreate extends ComputeCommand<typeof FlavorCreate> {
  static override summary = "Create new flavor";
  static override examples = ["<%= config.bin %> flavor create --ram 1024 --disk 10 --vcpus 2 m1.custom"];
  static override args = { "flavor-name": Args.string({ required: true, description: "New flavor name" }) };
  static override flags = {
    id: Flags.string({ summary: "Unique flavor ID; 'auto' creates a UUID (default: auto)" }),
    ram: Flags.integer({ default: 256, summary: "Memory size in MB (default 256M)" }),
    disk: Flags.integer({ default: 0, summary: "Disk size in GB (default 0G)" }),
    ephemeral: Flags.integer({ default: 0, summary: "Ephemeral disk size in GB (default 0G)" }),
    swap: Flags.integer({ default: 0, summary: "Additional swap space size in MB (default 0M)" }),
    vcpus: Flags.integer({ default: 1, summary: "Number of vcpus (default 1)" }),
    "rxtx-factor": Flags.string({ default: "1.0", summary: "RX/TX factor (default 1.0)" }),
    public: Flags.boolean({ summary: "Flavor is available to other projects (default)", exclusive: ["private"] }),
    private: Flags.boolean({ summary: "Flavor is not available to other projects" }),
    property: Flags.string({
      multiple: true,
      multipleNonGreedy: true,
      summary: "Property to add for this flavor (repeat option to set multiple properties)",
    }),
    project: Flags.string({ summary: "Allow <project> to access private flavor (name or ID) (Must be used with --private option)" }),
    description: Flags.string({ summary: "Description for the flavor.(Supported by API versions '2.55' - '2.latest')" }),
  };

  async run(): Promise<void> {
    const f = this.flags;
    const isPublic = !f.private;
    if (f.project && isPublic) throw new Error("--project is only allowed with --private");
    const rxtx = Number(f["rxtx-factor"]);
    if (Number.isNaN(rxtx)) throw new Error(`argument --rxtx-factor: invalid float value: '${f["rxtx-factor"]}'`);
    const compute = await this.sdk(SDK_MAX.flavor);
    const body: Record<string, unknown> = {
      name: this.args["flavor-name"],
      ram: f.ram,
      vcpus: f.vcpus,
      disk: f.disk,
      id: f.id === undefined || f.id === "auto" ? null : f.id,
      "OS-FLV-EXT-DATA:ephemeral": f.ephemeral,
      swap: f.swap,
      rxtx_factor: rxtx,
      "os-flavor-access:is_public": isPublic,
    };
    if (f.description) {
      if (!compute.atLeast("2.55")) throw new Error("The --description parameter requires server support for API microversion 2.55");
      body.description = f.description;
    }
    let flavor = (await compute.call<{ flavor: Resource }>("POST", "/flavors", { body: { flavor: body } })).flavor;
    const id = encodeURIComponent(String(flavor.id));
    if (f.project) {
      try {
        const projectId = (await this.identity().find("projects", f.project)).id;
        await compute.call("POST", `/flavors/${id}/action`, { body: { addTenantAccess: { tenant: projectId } } });
      } catch (e) {
        process.stderr.write(`Failed to add project ${f.project} access to flavor: ${(e as Error).message}\n`);
      }
    }
    let specs: Record<string, unknown> | undefined;
    const props = keyValues(f.property);
    if (Object.keys(props).length) {
      try {
        specs = (
          await compute.call<{ extra_specs: Record<string, unknown> }>("POST", `/flavors/${id}/os-extra_specs`, {
            body: { extra_specs: props },
          })
        ).extra_specs;
        flavor = { ...flavor, extra_specs: specs };
      } catch (e) {
        process.stderr.write(`Failed to set flavor properties: ${(e as Error).message}\n`);
      }
    }
    await this.printOne(sdkFlavorView(flavor, specs));
  }
}
