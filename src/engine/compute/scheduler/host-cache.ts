import type { Db } from "../../common/db/database.js";
import { stmt } from "../../common/db/statements.js";
import type { CellMappings } from "../cells/mappings.js";
import { type ServiceRecord, lastSeenMs } from "../objects/services.js";
import type { HostNode, HostService } from "./host-state.js";

/** A compute node as the scheduler keeps it: the columns host states are built from, the arch parsed once. */
export interface NodeFacts extends HostNode {
  id: number;
  cpu_arch: string | null;
  /** `host\0node`, the key of its instance count. */
  instance_key: string;
}

/** What one cell says about its hosts, as of the last refresh. Read-only for callers. */
export interface CellHostFacts {
  /** Live compute nodes in id order (the order host states come in). */
  nodes: Map<number, NodeFacts>;
  /** The nova-compute service of each host. */
  services: Map<string, HostService>;
  /** Live instances per `host\0node`. */
  instances: Map<string, number>;
}

/** What the API database says about hosts: the cell each is mapped to, and its aggregates' metadata. */
export interface ApiHostFacts {
  cellOf: Map<string, number>;
  aggregates: Map<string, Array<Record<string, string>>>;
}

/** A re-read of more changed rows than this is done as one full read. */
const FULL_READ_AFTER = 2_000;

const NODE_COLUMNS =
  "id, uuid, host, hypervisor_hostname, hypervisor_type, cpu_info, vcpus, vcpus_used, memory_mb, memory_mb_used, local_gb, local_gb_used, deleted";
const SERVICE_COLUMNS = "id, host, binary, disabled, forced_down, last_seen_up, created_at, updated_at, deleted";

type NodeRow = NodeFacts & { deleted: number; cpu_info: string | null };
type ServiceRow = { id: number; host: string; binary: string; disabled: number; forced_down: number; deleted: number } & Pick<
  ServiceRecord,
  "last_seen_up" | "created_at" | "updated_at"
>;
type InstanceRow = [id: number, host: string | null, node: string | null, deleted: number];

function archOf(cpuInfo: string | null): string | null {
  if (!cpuInfo) return null;
  try {
    return (JSON.parse(cpuInfo) as { arch?: string }).arch ?? null;
  } catch {
    return null;
  }
}

/**
 * One cell's hosts kept in memory between requests (Nova's HostManager keeps its host states too):
 * the first refresh reads every compute node, nova-compute service and placed instance; each later one
 * reads only the rows the cell's `host_changes` log says changed since (a heartbeat: one service row).
 * Without it the scheduler read a thousand nodes and services per request at a thousand hosts.
 */
export class CellHostCache {
  private seq = -1;
  private readonly facts: CellHostFacts = { nodes: new Map(), services: new Map(), instances: new Map() };
  /** Which service row each host's entry came from (a deleted row only removes its own entry). */
  private readonly serviceIdOf = new Map<string, number>();
  /** Each placed, live instance's `host\0node`, so a change moves its count. */
  private readonly instanceKey = new Map<number, string>();

  constructor(private readonly db: Db) {}

  refresh(): CellHostFacts {
    // One read transaction: the rows and the sequence they are current at are one consistent picture.
    this.db
      .transaction(() => {
        const latest = (stmt(this.db, "SELECT MAX(seq) FROM host_changes").pluck().get() as number | null) ?? 0;
        if (this.seq >= 0 && latest === this.seq) return;
        const changed =
          this.seq < 0
            ? undefined
            : (stmt(this.db, "SELECT table_name, row_id FROM host_changes WHERE seq > ?").raw().all(this.seq) as Array<[string, number]>);
        if (!changed || changed.length > FULL_READ_AFTER) this.readAll();
        else this.apply(changed);
        this.seq = latest;
      })
      .deferred();
    return this.facts;
  }

  private readAll(): void {
    this.facts.nodes.clear();
    this.facts.services.clear();
    this.facts.instances.clear();
    this.serviceIdOf.clear();
    this.instanceKey.clear();
    for (const r of stmt(this.db, `SELECT ${NODE_COLUMNS} FROM compute_nodes WHERE deleted = 0 ORDER BY id`).all() as NodeRow[])
      this.putNode(r);
    for (const r of stmt(
      this.db,
      `SELECT ${SERVICE_COLUMNS} FROM services WHERE binary = 'nova-compute' AND deleted = 0`,
    ).all() as ServiceRow[])
      this.putService(r);
    const placed = stmt(this.db, "SELECT id, host, node, deleted FROM instances WHERE deleted = 0 AND host IS NOT NULL").raw().all();
    for (const r of placed as InstanceRow[]) this.putInstance(r);
  }

  private apply(changed: Array<[string, number]>): void {
    const ids: Record<string, number[]> = { compute_nodes: [], services: [], instances: [] };
    for (const [table, id] of changed) ids[table]?.push(id);
    const byIds = (sql: string, list: number[]) => (list.length ? stmt(this.db, sql) : undefined);
    const idList = (list: number[]) => JSON.stringify(list);
    const inIds = "id IN (SELECT value FROM json_each(?))";

    const nodes = ids.compute_nodes as number[];
    const nodeRows = byIds(`SELECT ${NODE_COLUMNS} FROM compute_nodes WHERE ${inIds}`, nodes)?.all(idList(nodes)) as NodeRow[] | undefined;
    const nodeSeen = new Map((nodeRows ?? []).map((r) => [r.id, r]));
    for (const id of nodes) {
      const r = nodeSeen.get(id);
      if (r && r.deleted === 0) this.putNode(r);
      else this.facts.nodes.delete(id);
    }
    // A node inserted after others were deleted keeps id order: ids only grow, and Map keeps insertion order.

    const services = ids.services as number[];
    const serviceRows = byIds(`SELECT ${SERVICE_COLUMNS} FROM services WHERE ${inIds}`, services)?.all(idList(services)) as
      | ServiceRow[]
      | undefined;
    const serviceSeen = new Map((serviceRows ?? []).map((r) => [r.id, r]));
    for (const id of services) {
      const r = serviceSeen.get(id);
      if (r && r.deleted === 0 && r.binary === "nova-compute") this.putService(r);
      else
        for (const [host, ownId] of this.serviceIdOf)
          if (ownId === id) {
            this.serviceIdOf.delete(host);
            this.facts.services.delete(host);
          }
    }

    const instances = ids.instances as number[];
    const instanceRows = byIds(`SELECT id, host, node, deleted FROM instances WHERE ${inIds}`, instances)?.raw().all(idList(instances)) as
      | InstanceRow[]
      | undefined;
    const instanceSeen = new Map((instanceRows ?? []).map((r) => [r[0], r]));
    for (const id of instances) {
      this.dropInstance(id);
      const r = instanceSeen.get(id);
      if (r && r[3] === 0 && r[1] !== null) this.putInstance(r);
    }
  }

  private putNode(r: NodeRow): void {
    const { deleted: _deleted, ...node } = r;
    this.facts.nodes.set(r.id, { ...node, cpu_arch: archOf(r.cpu_info), instance_key: `${r.host}\u0000${r.hypervisor_hostname}` });
  }

  private putService(r: ServiceRow): void {
    this.serviceIdOf.set(r.host, r.id);
    this.facts.services.set(r.host, {
      host: r.host,
      disabled: r.disabled === 1,
      forced_down: r.forced_down === 1,
      last_seen_up: r.last_seen_up,
      created_at: r.created_at,
      updated_at: r.updated_at,
      last_seen_ms: lastSeenMs(r),
    });
  }

  private putInstance([id, host, node]: InstanceRow): void {
    const key = `${host}\u0000${node}`;
    this.instanceKey.set(id, key);
    this.facts.instances.set(key, (this.facts.instances.get(key) ?? 0) + 1);
  }

  private dropInstance(id: number): void {
    const key = this.instanceKey.get(id);
    if (key === undefined) return;
    this.instanceKey.delete(id);
    const n = (this.facts.instances.get(key) ?? 1) - 1;
    if (n > 0) this.facts.instances.set(key, n);
    else this.facts.instances.delete(key);
  }
}

/**
 * Host mappings and aggregates kept in memory, read again only when `host_facts_generation` moved
 * (triggers move it with every change to those tables): they change when hosts are discovered or
 * aggregates edited, not per request.
 */
export class ApiHostCache {
  private generation = -1;
  private facts: ApiHostFacts = { cellOf: new Map(), aggregates: new Map() };

  constructor(private readonly apiDb: Db) {}

  refresh(): ApiHostFacts {
    this.apiDb
      .transaction(() => {
        const generation = stmt(this.apiDb, "SELECT generation FROM host_facts_generation WHERE id = 1").pluck().get() as number;
        if (generation === this.generation) return;
        this.facts = { cellOf: this.readCells(), aggregates: this.readAggregates() };
        this.generation = generation;
      })
      .deferred();
    return this.facts;
  }

  private readCells(): Map<string, number> {
    const rows = stmt(this.apiDb, "SELECT host, cell_id FROM host_mappings").raw().all() as Array<[string, number]>;
    return new Map(rows);
  }

  /** Each host's aggregates as their metadata dicts (one per aggregate, empty when it has none), in aggregate id order. */
  private readAggregates(): Map<string, Array<Record<string, string>>> {
    const rows = stmt(
      this.apiDb,
      `SELECT h.host, h.aggregate_id, m.key, m.value FROM aggregate_hosts h LEFT JOIN aggregate_metadata m ON m.aggregate_id = h.aggregate_id
       ORDER BY h.host, h.aggregate_id`,
    ).all() as Array<{ host: string; aggregate_id: number; key: string | null; value: string | null }>;
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
}

/** The caches of one CellMappings (one scheduler process): its API database and each cell's. */
export interface HostCaches {
  api: ApiHostCache;
  cell(db: Db): CellHostCache;
}

const cachesOf = new WeakMap<CellMappings, HostCaches>();

export function hostCaches(cells: CellMappings): HostCaches {
  let caches = cachesOf.get(cells);
  if (!caches) {
    const perCell = new WeakMap<Db, CellHostCache>();
    caches = {
      api: new ApiHostCache(cells.apiDb),
      cell(db) {
        let c = perCell.get(db);
        if (!c) {
          c = new CellHostCache(db);
          perCell.set(db, c);
        }
        return c;
      },
    };
    cachesOf.set(cells, caches);
  }
  return caches;
}
