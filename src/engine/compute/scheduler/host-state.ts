import type { CellMapping, CellMappings } from "../cells/mappings.js";
import type { ComputeNode, ServiceRecord } from "../objects/services.js";

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
export type HostService = Pick<ServiceRecord, "host" | "disabled" | "forced_down" | "last_seen_up" | "created_at" | "updated_at">;

/** What a host state is built from of a compute node row: only these columns are read (1,000 rows a request). */
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
const NODE_COLUMNS =
  "uuid, host, hypervisor_hostname, hypervisor_type, cpu_info, vcpus, vcpus_used, memory_mb, memory_mb_used, local_gb, local_gb_used";

function archOf(cpuInfo: string | null): string | null {
  if (!cpuInfo) return null;
  try {
    const parsed = JSON.parse(cpuInfo) as { arch?: string };
    return parsed.arch ?? null;
  } catch {
    return null;
  }
}

type Db = ReturnType<CellMappings["db"]>;
type Row = Record<string, unknown>;

/**
 * HostManager.get_host_states_by_uuids: the compute nodes of every real cell whose provider Placement
 * offered. A fixed number of queries per cell, whatever the number of candidates (Nova's
 * ComputeNodeList.get_all_by_uuids, ServiceList.get_by_binary, the host→cell and host→aggregates maps):
 * the scheduler's cost per request must not grow with one query per node.
 */
export function hostStatesFor(
  cells: CellMappings,
  summaries: Record<string, ProviderSummary>,
  defaultZone: string,
  mappedOnly = true,
): HostState[] {
  const uuids = JSON.stringify(Object.keys(summaries));
  if (uuids === "[]") return [];
  const states: HostState[] = [];
  for (const cell of cells.realCells()) {
    if (cell.disabled) continue;
    const db = cells.db(cell);
    const nodes = db
      .prepare(`SELECT ${NODE_COLUMNS} FROM compute_nodes WHERE deleted = 0 AND uuid IN (SELECT value FROM json_each(?)) ORDER BY id`)
      .all(uuids) as HostNode[];
    if (nodes.length === 0) continue;
    const hosts = JSON.stringify([...new Set(nodes.map((n) => n.host))]);
    const cellOf = hostCells(cells, hosts);
    const services = servicesByHost(db, hosts);
    const counts = instanceCounts(db, hosts);
    const aggregates = aggregateMetadataByHost(cells.apiDb, hosts);
    for (const node of nodes) {
      const summary = summaries[node.uuid];
      if (!summary) continue;
      if (mappedOnly && cellOf.get(node.host) !== cell.id) continue;
      const res = summary.resources;
      const metadata = aggregates.get(node.host) ?? [];
      states.push({
        host: node.host,
        nodename: node.hypervisor_hostname,
        uuid: node.uuid,
        cell,
        service: services.get(node.host) ?? null,
        node,
        hypervisor_type: node.hypervisor_type,
        cpu_arch: archOf(node.cpu_info),
        availability_zone: metadata.find((md) => md.availability_zone)?.availability_zone ?? defaultZone,
        aggregates_metadata: metadata,
        vcpus_total: res.VCPU?.capacity ?? node.vcpus,
        vcpus_used: res.VCPU?.used ?? node.vcpus_used,
        free_ram_mb: (res.MEMORY_MB?.capacity ?? node.memory_mb) - (res.MEMORY_MB?.used ?? node.memory_mb_used),
        free_disk_mb: ((res.DISK_GB?.capacity ?? node.local_gb) - (res.DISK_GB?.used ?? node.local_gb_used)) * 1024,
        num_instances: counts.get(`${node.host}\u0000${node.hypervisor_hostname}`) ?? 0,
      });
    }
  }
  return states;
}

/** host → the id of the cell it is mapped to (host_mappings), for the hosts of a JSON list. */
function hostCells(cells: CellMappings, hosts: string): Map<string, number> {
  const rows = cells.apiDb
    .prepare("SELECT host, cell_id FROM host_mappings WHERE host IN (SELECT value FROM json_each(?))")
    .all(hosts) as Array<{
    host: string;
    cell_id: number;
  }>;
  return new Map(rows.map((r) => [r.host, r.cell_id]));
}

/** The nova-compute service of each host of a JSON list (the columns ComputeFilter reads). */
function servicesByHost(db: Db, hosts: string): Map<string, HostService> {
  const rows = db
    .prepare(
      `SELECT host, disabled, forced_down, last_seen_up, created_at, updated_at FROM services
       WHERE binary = 'nova-compute' AND deleted = 0 AND host IN (SELECT value FROM json_each(?))`,
    )
    .all(hosts) as Row[];
  const out = new Map<string, HostService>();
  for (const r of rows) {
    out.set(String(r.host), {
      host: String(r.host),
      disabled: r.disabled === 1,
      forced_down: r.forced_down === 1,
      last_seen_up: r.last_seen_up as string | null,
      created_at: r.created_at as string,
      updated_at: r.updated_at as string | null,
    });
  }
  return out;
}

/** Live instances per `host\0node`, for the hosts of a JSON list. */
function instanceCounts(db: Db, hosts: string): Map<string, number> {
  const rows = db
    .prepare(
      "SELECT host, node, COUNT(*) AS n FROM instances WHERE deleted = 0 AND host IN (SELECT value FROM json_each(?)) GROUP BY host, node",
    )
    .all(hosts) as Array<{ host: string; node: string; n: number }>;
  return new Map(rows.map((r) => [`${r.host}\u0000${r.node}`, r.n]));
}

/** Each host's aggregates as their metadata dicts (one per aggregate, empty when it has none). */
function aggregateMetadataByHost(apiDb: Db, hosts: string): Map<string, Array<Record<string, string>>> {
  const rows = apiDb
    .prepare(
      `SELECT h.host, h.aggregate_id, m.key, m.value FROM aggregate_hosts h LEFT JOIN aggregate_metadata m ON m.aggregate_id = h.aggregate_id
       WHERE h.host IN (SELECT value FROM json_each(?)) ORDER BY h.host, h.aggregate_id`,
    )
    .all(hosts) as Array<{ host: string; aggregate_id: number; key: string | null; value: string | null }>;
  const out = new Map<string, Map<number, Record<string, string>>>();
  for (const r of rows) {
    const byAggregate = out.get(r.host) ?? new Map<number, Record<string, string>>();
    out.set(r.host, byAggregate);
    const md = byAggregate.get(r.aggregate_id) ?? {};
    byAggregate.set(r.aggregate_id, md);
    if (r.key !== null && r.value !== null) md[r.key] = r.value;
  }
  return new Map([...out].map(([host, aggs]) => [host, [...aggs.values()]]));
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
