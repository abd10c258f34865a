import { Flags } from "@oclif/core";
import { SDK_MAX, dictColumn, flavorExtraSpecs, pyFloat } from "../../client/compute.js";
import { ComputeCommand } from "../../cli/compute-command.js";

export default class FlavorList extends ComputeCommand<typeof FlavorList> {
  static override summary = "List flavors";
  static override flags = {
    public: Flags.boolean({ summary: "List only public flavors (default)", exclusive: ["private", "all"] }),
    private: Flags.boolean({ summary: "List only private flavors", exclusive: ["all"] }),
    all: Flags.boolean({ summary: "List all flavors, whether public or private" }),
    "min-disk": Flags.integer({ summary: "Filters the flavors by a minimum disk space, in GiB." }),
    "min-ram": Flags.integer({ summary: "Filters the flavors by a minimum RAM, in MiB." }),
    long: Flags.boolean({ summary: "List additional fields in output" }),
    marker: Flags.string({ summary: "The last flavor ID of the previous page" }),
    limit: Flags.integer({ summary: "Maximum number of flavors to display." }),
  };

  async run(): Promise<void> {
    const f = this.flags;
    const compute = await this.sdk(SDK_MAX.flavor);
    const flavors = await compute.listFlavors({
      is_public: f.all ? "None" : f.private ? "False" : "True",
      marker: f.marker,
      limit: f.limit,
      minDisk: f["min-disk"],
      minRam: f["min-ram"],
    });
    const cols: Array<[string, (x: Record<string, unknown>) => unknown]> = [
      ["ID", (x) => x.id],
      ["Name", (x) => x.name],
      ["RAM", (x) => x.ram],
      ["Disk", (x) => x.disk],
      ["Ephemeral", (x) => x["OS-FLV-EXT-DATA:ephemeral"] ?? 0],
      ["VCPUs", (x) => x.vcpus],
      ["Is Public", (x) => x["os-flavor-access:is_public"] ?? true],
    ];
    if (f.long) {
      for (const fl of flavors) fl.extra_specs = await flavorExtraSpecs(compute, fl);
      cols.push(
        ["Swap", (x) => x.swap],
        ["RXTX Factor", (x) => pyFloat(x.rxtx_factor)],
        ["Properties", (x) => dictColumn(x.extra_specs ?? {})],
      );
    }
    await this.printList(
      cols.map(([h]) => h),
      flavors.map((fl) => Object.fromEntries(cols.map(([h, get]) => [h, get(fl)]))),
    );
  }
}
