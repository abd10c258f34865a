import type { CellMapping, CellMappings } from "../cells/mappings.js";
import type { ComputeNode, ServiceRecord } from "../objects/services.js";
import { hostCaches } from "./host-cache.js";

/** Placement's view of one provider in an allocation candidates answer (provider_summaries). */
export interface ProviderSummary {
  resources: Record<string, { capacity: number; used: number }>;
  traits?: string[];
}

/**
 * HostState (nova.scheduler.host_manager.HostState): one compute node as the filters and weighers see it —
 * its service, cell, aggregates and zone from the databases, its free resources from Placement's provider
 * summary (fresher than the compute's last report: claims land there at once).
 */
export interface HostState {
  host: string;
  nodename: string;
  uuid: string;
  cell: CellMapping;
  service: HostService | null;
  node: HostNode;
  hypervisor_type: string | null;
  cpu_arch: string | null;
  availability_zone: string;
  aggregates_metadata: Array<Record<string, string>>;
  vcpus_total: number;
  vcpus_used: number;
  free_ram_mb: number;
  free_disk_mb: number;
  num_instances: number;
  /** The allocation request Placement offered for this provider. */
  allocation_request?: Record<string, unknown>;
}

/** What the filters need of a host's nova-compute service (ComputeFilter: enabled, up). */
export type HostService = Pick<ServiceRecord, "host" | "disabled" | "forced_down" | "last_seen_up" | "created_at" | "updated_at"> & {
  /** lastSeenMs of the row, worked out once when it was read. */
  last_seen_ms: number;
};

/** What a host state is built from of a compute node row (what the host cache keeps of it). */
export type HostNode = Pick<
  ComputeNode,
  | "uuid"
  | "host"
  | "hypervisor_hostname"
  | "hypervisor_type"
  | "cpu_info"
  | "vcpus"
  | "vcpus_used"
  | "memory_mb"
  | "memory_mb_used"
  | "local_gb"
  | "local_gb_used"
>;

/**
 * HostManager.get_host_states_by_uuids: the compute nodes of every real cell whose provider Placement
 * offered, with their service, cell, zone and aggregates. The databases' facts come from the host
 * caches (host-cache.ts), which re-read only what changed since the last request, so the cost per
 * request is one pass over the cached nodes, not a thousand rows read from SQLite.
 */
export function hostStatesFor(
  cells: CellMappings,
  summaries: Record<string, ProviderSummary>,
  defaultZone: string,
  mappedOnly = true,
): HostState[] {
  const caches = hostCaches(cells);
  const api = caches.api.refresh();
  const states: HostState[] = [];
  for (const cell of cells.realCells()) {
    if (cell.disabled) continue;
    const facts = caches.cell(cells.db(cell)).refresh();
    for (const node of facts.nodes.values()) {
      const summary = summaries[node.uuid];
      if (!summary) continue;
      if (mappedOnly && api.cellOf.get(node.host) !== cell.id) continue;
      const res = summary.resources;
      const metadata = api.aggregates.get(node.host) ?? NO_AGGREGATES;
      states.push({
        host: node.host,
        nodename: node.hypervisor_hostname,
        uuid: node.uuid,
        cell,
        service: facts.services.get(node.host) ?? null,
        node,
        hypervisor_type: node.hypervisor_type,
        cpu_arch: node.cpu_arch,
        availability_zone: zoneOf(metadata) ?? defaultZone,
        aggregates_metadata: metadata,
        vcpus_total: res.VCPU?.capacity ?? node.vcpus,
        vcpus_used: res.VCPU?.used ?? node.vcpus_used,
        free_ram_mb: (res.MEMORY_MB?.capacity ?? node.memory_mb) - (res.MEMORY_MB?.used ?? node.memory_mb_used),
        free_disk_mb: ((res.DISK_GB?.capacity ?? node.local_gb) - (res.DISK_GB?.used ?? node.local_gb_used)) * 1024,
        num_instances: facts.instances.get(node.instance_key) ?? 0,
      });
    }
  }
  return states;
}

const NO_AGGREGATES: Array<Record<string, string>> = [];

function zoneOf(metadata: Array<Record<string, string>>): string | undefined {
  for (const md of metadata) if (md.availability_zone) return md.availability_zone;
  return undefined;
}

/** HostState.consume_from_request: what the next instance of the same request sees after this one claimed. */
export function consume(
  state: HostState,
  flavor: { vcpus: number; memory_mb: number; root_gb: number; ephemeral_gb: number; swap: number },
): void {
  state.vcpus_used += flavor.vcpus;
  state.free_ram_mb -= flavor.memory_mb;
  state.free_disk_mb -= (flavor.root_gb + flavor.ephemeral_gb) * 1024 + flavor.swap;
  state.num_instances += 1;
}
