import { Args, Flags } from "@oclif/core";
import { PlacementCommand, parseAllocations } from "../../../../cli/placement-command.js";

export default class ResourceProviderAllocationSet extends PlacementCommand<typeof ResourceProviderAllocationSet> {
  static override summary = "Replaces the set of resource allocation(s) for a given consumer.";
  static override description =
    "A full replacement of the consumer's allocations. --project-id and --user-id are required from " +
    "--os-placement-api-version 1.8, --consumer-type from 1.38; from 1.28 the consumer generation is read first.";
  static override examples = [
    "<%= config.bin %> resource provider allocation set <consumer> --allocation rp=<rp>,VCPU=2,MEMORY_MB=512 --project-id <p> --user-id <u>",
  ];
  static override args = { uuid: Args.string({ required: true, description: "UUID of the consumer" }) };
  static override flags = {
    allocation: Flags.string({
      multiple: true,
      multipleNonGreedy: true,
      summary: "Create (or update) an allocation of a resource class: rp=<provider uuid>,<resource class>=<amount>,… May be repeated.",
    }),
    "project-id": Flags.string({ summary: "ID of the consuming project (required from 1.8)" }),
    "user-id": Flags.string({ summary: "ID of the consuming user (required from 1.8)" }),
    "consumer-type": Flags.string({ summary: "The type of the consumer (required from 1.38)" }),
  };

  async run(): Promise<void> {
    const f = this.flags;
    const missing = [
      ...((await this.atLeast(8)) ? (["project-id", "user-id"] as const).filter((k) => !f[k]) : []),
      ...((await this.atLeast(38)) && !f["consumer-type"] ? ["consumer-type"] : []),
    ];
    if (missing.length) throw new Error(`the following arguments are required: ${missing.map((m) => `--${m}`).join(", ")}`);
    const url = `/allocations/${encodeURIComponent(this.args.uuid)}`;
    const withGeneration = await this.atLeast(28);
    const consumerGeneration = withGeneration ? ((await this.placement("GET", url)).consumer_generation ?? null) : undefined;
    const parsed = parseAllocations(f.allocation ?? []);
    if (Object.keys(parsed).length === 0) throw new Error("At least one resource allocation must be specified");
    const payload: Record<string, unknown> = {
      allocations: (await this.atLeast(12))
        ? Object.fromEntries(Object.entries(parsed).map(([rp, resources]) => [rp, { resources }]))
        : Object.entries(parsed).map(([rp, resources]) => ({ resource_provider: { uuid: rp }, resources })),
    };
    if (withGeneration) payload.consumer_generation = consumerGeneration;
    if (await this.atLeast(8)) {
      payload.project_id = f["project-id"];
      payload.user_id = f["user-id"];
    } else if (f["project-id"] || f["user-id"])
      this.warn("--project-id and --user-id options do not affect allocation for --os-placement-api-version less than 1.8");
    if (await this.atLeast(38)) payload.consumer_type = f["consumer-type"];
    else if (f["consumer-type"])
      this.warn("--consumer-type option does not affect allocation for --os-placement-api-version less than 1.38");
    await this.placement("PUT", url, { body: payload });
    await this.printAllocations(await this.placement("GET", url));
  }
}
