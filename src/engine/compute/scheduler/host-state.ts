import type { CellMapping, CellMappings } from "../cells/mappings.js";
import { type ComputeNode, type ServiceRecord, computeNodes, serviceByHostAndBinary } from "../objects/services.js";
import { hostAggregateMetadata, hostAvailabilityZone } from "../objects/server-groups.js";

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
  service: ServiceRecord | null;
  node: ComputeNode;
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

function archOf(cpuInfo: string | null): string | null {
  if (!cpuInfo) return null;
  try {
    const parsed = JSON.parse(cpuInfo) as { arch?: string };
    return parsed.arch ?? null;
  } catch {
    return null;
  }
}

/** HostManager.get_host_states_by_uuids: the compute nodes of every real cell whose provider Placement offered. */
export function hostStatesFor(
  cells: CellMappings,
  summaries: Record<string, ProviderSummary>,
  defaultZone: string,
  mappedOnly = true,
): HostState[] {
  const states: HostState[] = [];
  for (const cell of cells.realCells()) {
    if (cell.disabled) continue;
    const db = cells.db(cell);
    for (const node of computeNodes(db)) {
      const summary = summaries[node.uuid];
      if (!summary) continue;
      if (mappedOnly && cells.cellForHost(node.host)?.uuid !== cell.uuid) continue;
      const res = summary.resources;
      const count = db.prepare("SELECT COUNT(*) AS n FROM instances WHERE host = ? AND node = ? AND deleted = 0").get(node.host, node.hypervisor_hostname) as {
        n: number;
      };
      states.push({
        host: node.host,
        nodename: node.hypervisor_hostname,
        uuid: node.uuid,
        cell,
        service: serviceByHostAndBinary(db, node.host, "nova-compute"),
        node,
        hypervisor_type: node.hypervisor_type,
        cpu_arch: archOf(node.cpu_info),
        availability_zone: hostAvailabilityZone(cells.apiDb, node.host, defaultZone),
        aggregates_metadata: hostAggregateMetadata(cells.apiDb, node.host),
        vcpus_total: res.VCPU?.capacity ?? node.vcpus,
        vcpus_used: res.VCPU?.used ?? node.vcpus_used,
        free_ram_mb: (res.MEMORY_MB?.capacity ?? node.memory_mb) - (res.MEMORY_MB?.used ?? node.memory_mb_used),
        free_disk_mb: ((res.DISK_GB?.capacity ?? node.local_gb) - (res.DISK_GB?.used ?? node.local_gb_used)) * 1024,
        num_instances: count.n,
      });
    }
  }
  return states;
}

/** HostState.consume_from_request: what the next instance of the same request sees after this one claimed. */
export function consume(state: HostState, flavor: { vcpus: number; memory_mb: number; root_gb: number; ephemeral_gb: number; swap: number }): void {
  state.vcpus_used += flavor.vcpus;
  state.free_ram_mb -= flavor.memory_mb;
  state.free_disk_mb -= (flavor.root_gb + flavor.ephemeral_gb) * 1024 + flavor.swap;
  state.num_instances += 1;
}
