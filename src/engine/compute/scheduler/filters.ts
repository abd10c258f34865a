import type { RequestSpec } from "../objects/build-requests.js";
import { serviceIsUp } from "../objects/services.js";
import type { HostState } from "./host-state.js";

export interface FilterContext {
  spec: RequestSpec;
  serviceDownTime: number;
  /** The time the request is filtered at (ms since the epoch), the same for every host. */
  now: number;
  /** Hosts of the request's server group members (for the affinity filters), counted per host. */
  groupHosts: Map<string, number>;
}

/** A host filter (nova.scheduler.filters.BaseHostFilter.host_passes). */
export type HostFilter = (host: HostState, ctx: FilterContext) => boolean;

/** ComputeFilter: the host's nova-compute service is enabled and up. */
const ComputeFilter: HostFilter = (h, c) =>
  !!h.service && !h.service.disabled && serviceIsUp(h.service, c.serviceDownTime, c.now, h.service.last_seen_ms);

/** AvailabilityZoneFilter: the host is in the requested zone (any zone when none was asked). */
const AvailabilityZoneFilter: HostFilter = (h, c) => !c.spec.availability_zone || c.spec.availability_zone === h.availability_zone;

const norm = (v: string | null | undefined) => (v ?? "").toLowerCase();

/** ImagePropertiesFilter: the image's architecture, hypervisor type and VM mode are ones the host supports. */
const ImagePropertiesFilter: HostFilter = (h, c) => {
  const p = c.spec.image?.properties ?? {};
  const arch = p.hw_architecture ?? p.architecture;
  const hv = p.img_hv_type ?? p.hypervisor_type;
  const mode = p.hw_vm_mode ?? p.vm_mode;
  if (arch && h.cpu_arch && norm(arch) !== norm(h.cpu_arch)) return false;
  if (hv && h.hypervisor_type && norm(hv) !== norm(h.hypervisor_type)) return false;
  if (mode && !["hvm"].includes(norm(mode))) return false;
  return true;
};

/** ServerGroupAntiAffinityFilter: no more than max_server_per_host (1) members of an anti-affinity group per host. */
const ServerGroupAntiAffinityFilter: HostFilter = (h, c) => {
  const g = c.spec.instance_group;
  if (!g || g.policy !== "anti-affinity") return true;
  const max = Number(g.rules?.max_server_per_host ?? 1);
  return (c.groupHosts.get(h.host) ?? 0) < max;
};

/** ServerGroupAffinityFilter: members of an affinity group all land on the host the first one went to. */
const ServerGroupAffinityFilter: HostFilter = (h, c) => {
  const g = c.spec.instance_group;
  if (!g || g.policy !== "affinity" || c.groupHosts.size === 0) return true;
  return c.groupHosts.has(h.host);
};

/**
 * AggregateInstanceExtraSpecsFilter: each flavor extra spec that is unscoped or scoped
 * `aggregate_instance_extra_specs:` must be matched by a metadata value of one of the host's aggregates.
 */
const AggregateInstanceExtraSpecsFilter: HostFilter = (h, c) => {
  for (const [rawKey, wanted] of Object.entries(c.spec.flavor.extra_specs ?? {})) {
    const parts = rawKey.split(":");
    let key = rawKey;
    if (parts.length > 1) {
      if (parts[0] !== "aggregate_instance_extra_specs") continue;
      key = parts.slice(1).join(":");
    }
    const values = h.aggregates_metadata.map((md) => md[key]).filter((v): v is string => v !== undefined);
    if (values.length === 0) return false;
    if (
      !values.some((v) =>
        v
          .split(",")
          .map((x) => x.trim())
          .includes(
            String(wanted)
              .replace(/^s==\s*|^=\s*/, "")
              .trim(),
          ),
      )
    )
      return false;
  }
  return true;
};

export const FILTERS: Record<string, HostFilter> = {
  ComputeFilter,
  AvailabilityZoneFilter,
  ImagePropertiesFilter,
  ServerGroupAntiAffinityFilter,
  ServerGroupAffinityFilter,
  AggregateInstanceExtraSpecsFilter,
};

/** The configured filters, in order; an unknown name is a configuration error, reported at start. */
export function enabledFilters(names: string[]): Array<[string, HostFilter]> {
  return names.map((n) => {
    const f = FILTERS[n];
    if (!f) throw new Error(`[filter_scheduler] enabled_filters: unknown filter '${n}' (known: ${Object.keys(FILTERS).join(", ")})`);
    return [n, f];
  });
}
