import { Args, Flags } from "@oclif/core";
import { INVENTORY_FIELDS, PlacementCommand, parseInventoryResource, pick } from "../../../../cli/placement-command.js";
import type { Row } from "../../../../cli/output.js";

type Inventories = Record<string, Record<string, unknown>>;

export default class ResourceProviderInventorySet extends PlacementCommand<typeof ResourceProviderInventorySet> {
  static override summary = "Replaces the set of inventory records for the resource provider.";
  static override description =
    "By default this is a full replacement of the existing inventory; use --amend to keep the classes not named. " +
    "A field not given is the total: --resource VCPU=16 is --resource VCPU:total=16.";
  static override examples = [
    "<%= config.bin %> resource provider inventory set <uuid> --resource VCPU=16 --resource VCPU:allocation_ratio=16 --resource MEMORY_MB=2048",
  ];
  static override args = {
    uuid: Args.string({
      required: true,
      description: "UUID of the resource provider or UUID of the aggregate, if --aggregate is specified",
    }),
  };
  static override flags = {
    resource: Flags.string({
      multiple: true,
      multipleNonGreedy: true,
      summary:
        "<resource_class>:<inventory_field>=<value>; the field is one of allocation_ratio, min_unit, max_unit, reserved, step_size, total (default).",
    }),
    aggregate: Flags.boolean({
      summary: "Set the inventories of every resource provider in the aggregate. Requires --os-placement-api-version 1.3.",
    }),
    amend: Flags.boolean({ summary: "Amend the inventories instead of replacing them" }),
    "dry-run": Flags.boolean({ summary: "Show the inventories that would be set without setting them" }),
  };

  async run(): Promise<void> {
    const f = this.flags;
    const parsed = (f.resource ?? []).map(parseInventoryResource);
    let rps: Array<{ uuid: string; generation: number }>;
    if (f.aggregate) {
      await this.requireAtLeast(3);
      rps = (await this.placement("GET", "/resource_providers", { query: { member_of: this.args.uuid } })).resource_providers;
      if (rps.length === 0) throw new Error(`No resource providers found in aggregate with uuid ${this.args.uuid}.`);
    } else rps = [await this.placement("GET", `/resource_providers/${encodeURIComponent(this.args.uuid)}`)];

    const done: Array<{ rp: string; inventories: Inventories }> = [];
    let failures = 0;
    for (const rp of rps) {
      const url = `/resource_providers/${rp.uuid}/inventories`;
      let payload: { inventories: Inventories; resource_provider_generation: number };
      if (f.amend) payload = await this.placement("GET", url);
      else payload = { inventories: {}, resource_provider_generation: rp.generation };
      for (const { name, field, value } of parsed) {
        payload.inventories[name] ??= {};
        (payload.inventories[name] as Record<string, unknown>)[field] = value;
      }
      try {
        const result = f["dry-run"] ? payload : await this.placement("PUT", url, { body: payload });
        done.push({ rp: rp.uuid, inventories: result.inventories });
      } catch (e) {
        if (!f.aggregate) throw e;
        process.stderr.write(`Failed to set inventory for resource provider ${rp.uuid}: ${(e as Error).message}.\n`);
        failures++;
      }
    }
    if (failures > 0) throw new Error(`Failed to set inventory for ${failures} of ${rps.length} resource providers.`);

    const fields = ["resource_class", ...INVENTORY_FIELDS];
    const rowsOf = (inventories: Inventories, rp?: string): Row[] =>
      Object.entries(inventories).map(([rc, inv]) => ({
        ...(rp ? { resource_provider: rp } : {}),
        ...pick({ resource_class: rc, ...inv, allocation_ratio: this.pyFloat(inv.allocation_ratio) }, fields),
      }));
    if (f.aggregate)
      await this.printList(
        ["resource_provider", ...fields],
        done.flatMap((d) => rowsOf(d.inventories, d.rp)),
      );
    else await this.printList(fields, rowsOf(done[0]?.inventories ?? {}));
  }
}
