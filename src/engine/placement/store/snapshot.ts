import type { Db } from "../../common/db/database.js";
import { type Inventory, capacity } from "./inventories.js";
import type { ProviderRow } from "./providers.js";
import { stmt } from "../../common/db/statements.js";

/** One provider as the filters see it: its inventory, current usage, traits and aggregates. */
export interface ProviderState {
  row: ProviderRow;
  inventories: Map<string, Inventory>;
  used: Map<string, number>;
  traits: Set<string>;
  aggregates: Set<string>;
}

/** The last snapshot per connection: the database state it was read at, the structure version and usage_changes seq then. */
const cache = new WeakMap<Db, { version: string; structure: number; seq: number; snapshot: Map<number, ProviderState> }>();

/** A refresh touching more providers than this reads every provider's usage in one go instead. */
const PER_PROVIDER_REFRESH_MAX = 200;

/**
 * Every provider with what filtering needs, read in a handful of queries (one read transaction, so the
 * picture is consistent), and reused until the database changes: `data_version` moves when another
 * connection (another placement-api process) commits, `total_changes()` when this one writes. When
 * only allocations changed (the structure version did not move: a claim, a delete), just the usages
 * and generations of the providers `usage_changes` names are read again — what the scheduler's query
 * after each claim pays: one provider, not a thousand.
 * Callers must treat the snapshot as read-only.
 */
export function loadSnapshot(db: Db): Map<number, ProviderState> {
  return db
    .transaction(() => {
      const version = `${db.pragma("data_version", { simple: true })}:${stmt(db, "SELECT total_changes()").pluck().get()}`;
      const hit = cache.get(db);
      if (hit && hit.version === version) return hit.snapshot;
      const structure = stmt(db, "SELECT version FROM placement_structure_version WHERE id = 1").pluck().get() as number;
      const seq = (stmt(db, "SELECT MAX(seq) FROM usage_changes").pluck().get() as number | null) ?? 0;
      const out = (hit && hit.structure === structure && refreshUsage(db, hit.snapshot, hit.seq)) || readAll(db);
      cache.set(db, { version, structure, seq, snapshot: out });
      return out;
      // Deferred: a read must not take the write lock (the default here is IMMEDIATE).
    })
    .deferred();
}

/**
 * A new snapshot sharing the unchanged inventories, traits and aggregates of `before`, with fresh
 * generations and usages. A provider whose generation did not move keeps its very object, so what was
 * derived from it (rendered summaries) stays valid: after a claim, one provider changed, not a
 * thousand. Undefined if the providers are not the same set (then read everything).
 */
function refreshUsage(db: Db, before: Map<number, ProviderState>, sinceSeq: number): Map<number, ProviderState> | undefined {
  const changed = stmt(db, "SELECT resource_provider_id FROM usage_changes WHERE seq > ?").pluck().all(sinceSeq) as number[];
  if (changed.length <= PER_PROVIDER_REFRESH_MAX) return refreshSome(db, before, changed);
  const rows = stmt(db, "SELECT id, generation, updated_at FROM resource_providers ORDER BY id").raw().all() as Array<
    [number, number, string | null]
  >;
  if (rows.length !== before.size) return undefined;
  const usage = new Map<number, Map<string, number>>();
  readUsage(db, (id) => {
    let m = usage.get(id);
    if (!m) {
      m = new Map();
      usage.set(id, m);
    }
    return m;
  });
  const out = new Map<number, ProviderState>();
  for (const [id, generation, updated_at] of rows) {
    const old = before.get(id);
    if (!old) return undefined;
    out.set(id, withUsage(old, generation, updated_at, usage.get(id) ?? new Map<string, number>()));
  }
  return out;
}

/**
 * The provider as it is now: the very same object when nothing moved (what was derived from it stays
 * valid), else a new one sharing its inventories, traits and aggregates. Every allocation change bumps
 * the generation; comparing usages too is cheap and exact.
 */
function withUsage(old: ProviderState, generation: number, updated_at: string | null, used: Map<string, number>): ProviderState {
  if (old.row.generation === generation && old.row.updated_at === updated_at && sameUsage(old.used, used)) return old;
  return {
    row: { ...old.row, generation, updated_at },
    inventories: old.inventories,
    used,
    traits: old.traits,
    aggregates: old.aggregates,
  };
}

/** refreshUsage for a few providers: the others keep their objects as they are. */
function refreshSome(db: Db, before: Map<number, ProviderState>, ids: number[]): Map<number, ProviderState> | undefined {
  const out = new Map(before);
  if (ids.length === 0) return out;
  const list = JSON.stringify(ids);
  const rows = stmt(db, "SELECT id, generation, updated_at FROM resource_providers WHERE id IN (SELECT value FROM json_each(?))")
    .raw()
    .all(list) as Array<[number, number, string | null]>;
  // A provider gone or new is a structure change, which takes the full read; here it means a race: read all.
  if (rows.length !== ids.length) return undefined;
  const classes = classNames(db);
  const usage = new Map<number, Map<string, number>>(ids.map((id) => [id, new Map()]));
  const sums = stmt(
    db,
    `SELECT resource_provider_id, resource_class_id, SUM(used) FROM allocations
     WHERE resource_provider_id IN (SELECT value FROM json_each(?)) GROUP BY resource_provider_id, resource_class_id`,
  )
    .raw()
    .all(list) as Array<[number, number, number]>;
  for (const [rp, rc, n] of sums) usage.get(rp)?.set(classes.get(rc) as string, n);
  for (const [id, generation, updated_at] of rows) {
    const old = before.get(id);
    if (!old) return undefined;
    out.set(id, withUsage(old, generation, updated_at, usage.get(id) as Map<string, number>));
  }
  return out;
}

function sameUsage(a: Map<string, number>, b: Map<string, number>): boolean {
  if (a.size !== b.size) return false;
  for (const [rc, n] of a) if (b.get(rc) !== n) return false;
  return true;
}

/** Sum of allocations per provider and class, into the map `usedOf` gives for each provider id. */
function readUsage(db: Db, usedOf: (id: number) => Map<string, number> | undefined): void {
  const classes = classNames(db);
  const used = stmt(
    db,
    "SELECT resource_provider_id, resource_class_id, SUM(used) FROM allocations GROUP BY resource_provider_id, resource_class_id",
  )
    .raw()
    .all() as Array<[number, number, number]>;
  for (const [rp, rc, n] of used) usedOf(rp)?.set(classes.get(rc) as string, n);
}

const classNames = (db: Db) =>
  new Map((stmt(db, "SELECT id, name FROM resource_classes").raw().all() as Array<[number, string]>).map(([id, name]) => [id, name]));

type ProviderTuple = [number, string, string, number, number | null, number | null, string, string | null];
type InventoryTuple = [number, number, number, number, number, number, number, number];

/**
 * The whole picture in five plain queries: raw rows (arrays, not objects), no joins where a lookup in
 * JS does (root/parent uuids, class and trait names), inventories in the unique index's order so no
 * sort is needed. With a thousand providers this is what every query after a write pays.
 */
function readAll(db: Db): Map<number, ProviderState> {
  const out = new Map<number, ProviderState>();
  const rows = stmt(
    db,
    "SELECT id, uuid, name, generation, root_provider_id, parent_provider_id, created_at, updated_at FROM resource_providers ORDER BY id",
  )
    .raw()
    .all() as ProviderTuple[];
  const uuidById = new Map<number, string>();
  for (const r of rows) uuidById.set(r[0], r[1]);
  for (const [id, uuid, name, generation, rootId, parentId, created_at, updated_at] of rows) {
    const root = rootId ?? id;
    const row: ProviderRow = {
      id,
      uuid,
      name,
      generation,
      root_provider_id: root,
      parent_provider_id: parentId,
      root_provider_uuid: uuidById.get(root) ?? uuid,
      parent_provider_uuid: parentId === null ? null : (uuidById.get(parentId) ?? null),
      created_at,
      updated_at,
    };
    out.set(id, { row, inventories: new Map(), used: new Map(), traits: new Set(), aggregates: new Set() });
  }
  const classes = classNames(db);
  const invs = stmt(
    db,
    "SELECT resource_provider_id, resource_class_id, total, reserved, min_unit, max_unit, step_size, allocation_ratio FROM inventories ORDER BY resource_provider_id, resource_class_id",
  )
    .raw()
    .all() as InventoryTuple[];
  for (const [rp, rc, total, reserved, min_unit, max_unit, step_size, allocation_ratio] of invs)
    out.get(rp)?.inventories.set(classes.get(rc) as string, { total, reserved, min_unit, max_unit, step_size, allocation_ratio });
  readUsage(db, (id) => out.get(id)?.used);
  const traits = stmt(db, "SELECT rpt.resource_provider_id, t.name FROM resource_provider_traits rpt JOIN traits t ON t.id = rpt.trait_id")
    .raw()
    .all() as Array<[number, string]>;
  for (const [rp, name] of traits) out.get(rp)?.traits.add(name);
  const aggs = stmt(
    db,
    "SELECT rpa.resource_provider_id, pa.uuid FROM resource_provider_aggregates rpa JOIN placement_aggregates pa ON pa.id = rpa.aggregate_id",
  )
    .raw()
    .all() as Array<[number, string]>;
  for (const [rp, uuid] of aggs) out.get(rp)?.aggregates.add(uuid);
  return out;
}

/** Room left for `rc` on a provider, after what `extra` already claims in the request being built. */
export function fits(p: ProviderState, rc: string, amount: number, extra = 0): boolean {
  const inv = p.inventories.get(rc);
  if (!inv) return false;
  if (amount < inv.min_unit || amount > inv.max_unit || amount % inv.step_size !== 0) return false;
  return (p.used.get(rc) ?? 0) + extra + amount <= capacity(inv);
}
