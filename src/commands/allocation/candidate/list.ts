import { Flags } from "@oclif/core";
import { PlacementCommand, pyInt, requiredQueryParams } from "../../../cli/placement-command.js";
import type { Row } from "../../../cli/output.js";

/** The options that belong to the request group named by the last --group before them. */
const GROUPED = ["resource", "required", "forbidden", "member-of", "aggregate-uuid"] as const;
type Grouped = (typeof GROUPED)[number];
type Group = Partial<Record<Grouped, string[]>>;

export default class AllocationCandidateList extends PlacementCommand<typeof AllocationCandidateList> {
  static override summary = "List allocation candidates.";
  static override description =
    "Allocation requests (each one could be claimed with `resource provider allocation set`) and the inventory used/capacity " +
    "of the providers in them. Options after --group <name> form the granular request group resources<name>=…. " +
    "Requires --os-placement-api-version 1.10.";
  static override examples = [
    "<%= config.bin %> allocation candidate list --resource VCPU=1",
    "<%= config.bin %> allocation candidate list --group 1 --resource VCPU=3 --required HW_CPU_X86_AVX --group 2 --resource VCPU=2 --group-policy isolate",
  ];
  static override flags = {
    resource: Flags.string({
      multiple: true,
      multipleNonGreedy: true,
      summary: "<resource_class>=<value> the providers must collectively serve. May be repeated.",
    }),
    limit: Flags.string({ summary: "Maximum number of allocation candidates. Requires --os-placement-api-version 1.16." }),
    required: Flags.string({
      multiple: true,
      multipleNonGreedy: true,
      summary: "A required trait (comma list = any of, from 1.39). May be repeated. Requires 1.17.",
    }),
    forbidden: Flags.string({ multiple: true, multipleNonGreedy: true, summary: "A forbidden trait. May be repeated. Requires 1.22." }),
    "member-of": Flags.string({
      multiple: true,
      multipleNonGreedy: true,
      exclusive: ["aggregate-uuid"],
      summary: "Comma-separated aggregate UUIDs (any of); repeat to AND them. Requires 1.21.",
    }),
    "aggregate-uuid": Flags.string({ multiple: true, multipleNonGreedy: true, hidden: true }),
    group: Flags.string({
      multiple: true,
      multipleNonGreedy: true,
      summary: "Name of a request group; the options after it belong to it. Requires 1.25 (1.29 for nested providers).",
    }),
    "group-policy": Flags.string({
      options: ["none", "isolate"],
      default: "none",
      summary: "How numbered groups share providers: none (default) or isolate.",
    }),
  };

  /** argparse's AppendToGroup/GroupAction: walk the command line in order, filing options by group. */
  private groups(): Map<string, Group> | undefined {
    const ctor = this.ctor as unknown as {
      flags: Record<string, { type: string; char?: string }>;
      baseFlags: Record<string, { type: string; char?: string }>;
    };
    const defs = { ...ctor.baseFlags, ...ctor.flags };
    const byChar = new Map(
      Object.entries(defs)
        .filter(([, d]) => d.char)
        .map(([n, d]) => [`-${d.char}`, n]),
    );
    let groups: Map<string, Group> | undefined;
    let current: string | undefined;
    const argv = this.argv;
    for (let i = 0; i < argv.length; i++) {
      const tok = argv[i] as string;
      let name: string | undefined;
      let value: string | undefined;
      if (tok.startsWith("--")) {
        const eq = tok.indexOf("=");
        name = eq < 0 ? tok.slice(2) : tok.slice(2, eq);
        if (eq >= 0) value = tok.slice(eq + 1);
      } else if (byChar.has(tok)) name = byChar.get(tok);
      if (!name || !defs[name]) continue;
      if (defs[name]?.type !== "boolean" && value === undefined) value = argv[++i];
      if (name === "group") {
        groups ??= new Map();
        current = value ?? "";
        groups.set(current, {});
      } else if ((GROUPED as readonly string[]).includes(name)) {
        if (current === undefined) {
          groups ??= new Map();
          current = "";
          groups.set(current, {});
        }
        const g = groups?.get(current) as Group;
        const values = g[name as Grouped] ?? [];
        values.push(value ?? "");
        g[name as Grouped] = values;
      }
    }
    return groups;
  }

  async run(): Promise<void> {
    await this.requireAtLeast(10);
    const groups = this.groups();
    if (!groups) throw new Error("At least one --resource must be specified.");
    const query: Record<string, string | string[]> = {};
    if (this.flags.limit) {
      await this.requireAtLeast(16);
      query.limit = String(pyInt(this.flags.limit));
    }
    if ([...groups.keys()].some((k) => k !== "")) {
      await this.requireAtLeast(25);
      query.group_policy = this.flags["group-policy"];
    }
    for (const [suffix, group] of groups) {
      if (!group.resource) throw new Error(`--resources should be provided in group ${suffix}`);
      for (const r of group.resource)
        if (r.split("=").length !== 2) throw new Error("Arguments to --resource must be of form <resource_class>=<value>");
      query[`resources${suffix}`] = group.resource.map((r) => r.replace("=", ":")).join(",");
      const required = group.required ?? [];
      if (required.length) {
        await this.requireAtLeast(17);
        if (required.some((r) => r.includes(","))) await this.requireAtLeast(39);
      }
      const forbidden = (group.forbidden ?? []).map((t) => `!${t}`);
      if (forbidden.length) await this.requireAtLeast(22);
      const traits = requiredQueryParams(required, forbidden);
      if (traits.length) query[`required${suffix}`] = traits;
      if (group["aggregate-uuid"]?.length) {
        await this.requireAtLeast(21);
        this.warn("The --aggregate-uuid option is deprecated, please use --member-of instead.");
        query[`member_of${suffix}`] = `in:${group["aggregate-uuid"].join(",")}`;
      }
      if (group["member-of"]?.length) {
        await this.requireAtLeast(21);
        query[`member_of${suffix}`] = group["member-of"].map((a) => `in:${a}`);
      }
    }
    const resp = await this.placement("GET", "/allocation_candidates", { query });
    const withTraits = await this.atLeast(17);
    const summaries = resp.provider_summaries as Record<
      string,
      { resources: Record<string, { used: number; capacity: number }>; traits?: string[] }
    >;
    const usedCapacity = (rp: string) =>
      Object.entries(summaries[rp]?.resources ?? {})
        .map(([rc, v]) => `${rc}=${v.used}/${v.capacity}`)
        .join(",");
    const amounts = (resources: Record<string, number>) =>
      Object.entries(resources)
        .map(([rc, n]) => `${rc}=${n}`)
        .join(",");
    const rows: Row[] = [];
    (resp.allocation_requests as Array<{ allocations: unknown }>).forEach((req, i) => {
      // Before 1.12 an allocation request is a list of {resource_provider: {uuid}, resources}.
      const entries: Array<[string, Record<string, number>]> = Array.isArray(req.allocations)
        ? (req.allocations as Array<{ resource_provider: { uuid: string }; resources: Record<string, number> }>).map((a) => [
            a.resource_provider.uuid,
            a.resources,
          ])
        : Object.entries(req.allocations as Record<string, { resources: Record<string, number> }>).map(([rp, a]) => [rp, a.resources]);
      for (const [rp, resources] of entries) {
        const row: Row = {
          "#": i + 1,
          allocation: amounts(resources),
          "resource provider": rp,
          "inventory used/capacity": usedCapacity(rp),
        };
        if (withTraits && !Array.isArray(req.allocations)) row.traits = (summaries[rp]?.traits ?? []).join(",");
        rows.push(row);
      }
    });
    const columns = ["#", "allocation", "resource provider", "inventory used/capacity", ...(withTraits ? ["traits"] : [])];
    await this.printList(columns, rows);
  }
}
