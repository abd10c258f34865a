import type { Config } from "../../common/config/config.js";
import type { RequestContext } from "../../common/context.js";
import { log } from "../../common/log.js";
import { withSpan } from "../../common/trace/tracer.js";
import type { CellMappings } from "../cells/mappings.js";
import type { RequestSpec } from "../objects/build-requests.js";
import { findInstance } from "../objects/instance.js";
import type { ServiceClients } from "../objects/service-clients.js";
import { type FilterContext, type HostFilter, enabledFilters } from "./filters.js";
import { type HostState, type ProviderSummary, consume, hostStatesFor } from "./host-state.js";
import { WEIGHERS, type Weigher, weighHosts } from "./weighers.js";

/** nova.exception.NoValidHost, raised over RPC to the conductor. */
export class NoValidHost extends Error {
  override name = "NoValidHost";
  constructor(reason: string) {
    super(`No valid host was found. ${reason}`);
  }
}

/** nova.objects.Selection: a host picked for an instance, with the allocation request to claim there. */
export interface Selection {
  service_host: string;
  nodename: string;
  compute_node_uuid: string;
  cell_uuid: string;
  limits: Record<string, unknown>;
  allocation_request: string | null;
  allocation_request_version: string;
}

export const PLACEMENT_VERSION = "1.36";

interface AllocationCandidates {
  allocation_requests: Array<{ allocations: Record<string, { resources: Record<string, number> }> }>;
  provider_summaries: Record<string, ProviderSummary>;
}

/** Resources one instance of a flavor asks Placement for (nova.scheduler.utils.resources_from_request_spec). */
export function resourcesOf(flavor: RequestSpec["flavor"]): Record<string, number> {
  const r: Record<string, number> = { VCPU: flavor.vcpus, MEMORY_MB: flavor.memory_mb };
  const disk = flavor.root_gb + flavor.ephemeral_gb + Math.ceil(flavor.swap / 1024);
  if (disk > 0) r.DISK_GB = disk;
  for (const [k, v] of Object.entries(flavor.extra_specs ?? {})) {
    const m = /^resources:([A-Z0-9_]+)$/.exec(k);
    if (m?.[1]) {
      const n = Number(v);
      if (n === 0) delete r[m[1]];
      else if (Number.isInteger(n) && n > 0) r[m[1]] = n;
    }
  }
  return r;
}

/**
 * SchedulerManager: select_destinations asks Placement for allocation candidates, turns them into host
 * states, runs the enabled filters and weighers, claims the best host's allocation in Placement (retrying
 * on a generation conflict, moving to the next host when the claim no longer fits) and returns the chosen
 * host plus alternates from the same cell for each instance.
 */
export class SchedulerManager {
  private readonly filters: Array<[string, HostFilter]>;
  private readonly weighers: Array<{ name: string; weigh: Weigher; multiplier: number }>;

  constructor(
    private readonly config: Config,
    private readonly cells: CellMappings,
    private readonly clients: ServiceClients,
  ) {
    this.filters = enabledFilters(config.get<string[]>("filter_scheduler", "enabled_filters"));
    this.weighers = config.get<string[]>("filter_scheduler", "weight_classes").map((name) => {
      const w = WEIGHERS[name];
      if (!w) throw new Error(`[filter_scheduler] weight_classes: unknown weigher '${name}' (known: ${Object.keys(WEIGHERS).join(", ")})`);
      return { name, weigh: w.weigh, multiplier: Number(config.get("filter_scheduler", w.multiplier)) };
    });
  }

  async select_destinations(
    ctx: RequestContext,
    args: { request_spec: RequestSpec; instance_uuids: string[]; return_alternates?: boolean },
  ): Promise<Selection[][]> {
    const spec = args.request_spec;
    const uuids = args.instance_uuids?.length ? args.instance_uuids : [spec.instance_uuid];
    return withSpan("select_destinations", "internal", async (span) => {
      span.set("instance_uuids", uuids);
      const candidates = await this.allocationCandidates(ctx, spec);
      if (candidates.allocation_requests.length === 0) throw new NoValidHost("There are not enough hosts available.");
      const requestsByRp = new Map<string, AllocationCandidates["allocation_requests"][number]>();
      for (const ar of candidates.allocation_requests) {
        const rps = Object.keys(ar.allocations);
        if (rps.length === 1 && rps[0] && !requestsByRp.has(rps[0])) requestsByRp.set(rps[0], ar);
      }
      const hosts = hostStatesFor(this.cells, candidates.provider_summaries, this.config.str("DEFAULT", "default_availability_zone"));
      for (const h of hosts) h.allocation_request = requestsByRp.get(h.uuid);
      const groupHosts = this.groupHosts(spec);
      const maxAttempts = this.config.int("scheduler", "max_attempts");
      const ignore = new Set([...(spec.ignore_hosts ?? []), ...(spec.retry?.hosts ?? [])]);
      const result: Selection[][] = [];
      for (const uuid of uuids) {
        const filtered = await withSpan("filter_hosts", "internal", (fs) => {
          const fctx: FilterContext = {
            spec,
            serviceDownTime: this.config.int("DEFAULT", "service_down_time"),
            now: Date.now(),
            groupHosts,
          };
          let left = hosts.filter((h) => h.allocation_request && !ignore.has(h.host));
          if (spec.requested_destination?.host) left = left.filter((h) => h.host === spec.requested_destination?.host);
          for (const [name, f] of this.filters) {
            const before = left.length;
            left = left.filter((h) => f(h, fctx));
            fs.set(name, `${before} -> ${left.length}`);
            if (left.length === 0) {
              log.info(`Filter ${name} returned 0 hosts for instance ${uuid}`);
              break;
            }
          }
          return left;
        });
        if (filtered.length === 0) throw new NoValidHost("There are not enough hosts available.");
        const weighed = await withSpan("weigh_hosts", "internal", (ws) => {
          const w = weighHosts(filtered, this.weighers);
          ws.set("ranking", ranking(w));
          return w.map((x) => x.host);
        });
        const subset = Math.min(this.config.int("filter_scheduler", "host_subset_size"), weighed.length);
        if (subset > 1) {
          const i = Math.floor(Math.random() * subset);
          const [chosen] = weighed.splice(i, 1);
          if (chosen) weighed.unshift(chosen);
        }
        let claimed: HostState | undefined;
        for (const h of weighed) {
          if (await this.claim(ctx, uuid, spec, h)) {
            claimed = h;
            break;
          }
        }
        if (!claimed) throw new NoValidHost("There are not enough hosts available.");
        consume(claimed, spec.flavor);
        if (spec.instance_group) groupHosts.set(claimed.host, (groupHosts.get(claimed.host) ?? 0) + 1);
        const selections = [this.selection(claimed)];
        if (args.return_alternates !== false)
          for (const alt of weighed) {
            if (selections.length >= maxAttempts) break;
            if (alt === claimed || alt.cell.uuid !== claimed.cell.uuid) continue;
            selections.push(this.selection(alt));
          }
        span.set(`host.${uuid}`, claimed.host);
        result.push(selections);
      }
      return result;
    });
  }

  private selection(h: HostState): Selection {
    return {
      service_host: h.host,
      nodename: h.nodename,
      compute_node_uuid: h.uuid,
      cell_uuid: h.cell.uuid,
      limits: {},
      allocation_request: h.allocation_request ? JSON.stringify(h.allocation_request) : null,
      allocation_request_version: PLACEMENT_VERSION,
    };
  }

  private async allocationCandidates(ctx: RequestContext, spec: RequestSpec): Promise<AllocationCandidates> {
    const resources = Object.entries(resourcesOf(spec.flavor))
      .map(([k, v]) => `${k}:${v}`)
      .join(",");
    const limit = this.config.int("scheduler", "max_placement_results");
    const res = await this.clients.request<AllocationCandidates>(
      "placement",
      "GET",
      `/allocation_candidates?resources=${resources}&limit=${limit}`,
      {
        microversion: PLACEMENT_VERSION,
        headers: ctx.request_id ? { "x-openstack-request-id": ctx.global_request_id ?? ctx.request_id } : {},
      },
    );
    if (res.status !== 200) {
      log.error(`GET /allocation_candidates answered ${res.status}: ${JSON.stringify(res.body)}`);
      throw new NoValidHost("There are not enough hosts available.");
    }
    return res.body;
  }

  /** claim_resources: PUT /allocations/{consumer}; retried on a concurrent update, false when it no longer fits. */
  private async claim(ctx: RequestContext, consumer: string, spec: RequestSpec, h: HostState): Promise<boolean> {
    if (!h.allocation_request) return false;
    return withSpan("claim_resources", "internal", async (span) => {
      span.set("host", h.host);
      for (let attempt = 1; attempt <= 4; attempt++) {
        const res = await this.clients.request("placement", "PUT", `/allocations/${consumer}`, {
          microversion: PLACEMENT_VERSION,
          body: {
            allocations: h.allocation_request?.allocations,
            project_id: spec.project_id,
            user_id: spec.user_id,
            consumer_generation: null,
          },
        });
        if (res.status === 204) return true;
        const code = (res.body as { errors?: Array<{ code?: string }> })?.errors?.[0]?.code;
        span.set(`attempt.${attempt}`, `${res.status} ${code ?? ""}`);
        if (res.status === 409 && code === "placement.concurrent_update") continue;
        log.info(`Unable to claim resources on ${h.host} for ${consumer}: ${res.status} ${JSON.stringify(res.body)}`);
        return false;
      }
      return false;
    });
  }

  /** Hosts of the server group's existing members (what the affinity filters compare against). */
  private groupHosts(spec: RequestSpec): Map<string, number> {
    const hosts = new Map<string, number>();
    const g = spec.instance_group;
    if (!g) return hosts;
    for (const member of g.members ?? []) {
      const where = this.cells.instanceCell(member);
      if (!where?.cell) continue;
      const inst = findInstance(this.cells.db(where.cell), member);
      if (inst?.host) hosts.set(inst.host, (hosts.get(inst.host) ?? 0) + 1);
    }
    return hosts;
  }
}

/** The weighed hosts as the span shows them: the best RANKED_IN_SPAN with their weights, then how many more. */
const RANKED_IN_SPAN = 20;
function ranking(weighed: Array<{ host: HostState; weight: number }>): string {
  const shown = weighed.slice(0, RANKED_IN_SPAN).map((x) => `${x.host.host}:${x.weight.toFixed(3)}`);
  if (weighed.length > RANKED_IN_SPAN) shown.push(`(+${weighed.length - RANKED_IN_SPAN} more)`);
  return shown.join(" ");
}
