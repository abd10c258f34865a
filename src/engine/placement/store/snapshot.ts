import type { Db } from "../../common/db/database.js";
import { type Inventory, capacity, inventoryRecord } from "./inventories.js";
import { type ProviderRow, allProviders } from "./providers.js";

/** One provider as the filters see it: its inventory, current usage, traits and aggregates. */
export interface ProviderState {
  row: ProviderRow;
  inventories: Map<string, Inventory>;
  used: Map<string, number>;
  traits: Set<string>;
  aggregates: Set<string>;
}

/** The last snapshot per connection and the database state it was read at. */
const cache = new WeakMap<Db, { version: string; snapshot: Map<number, ProviderState> }>();

/**
 * Every provider with what filtering needs, read in a handful of queries (one read transaction, so the
 * picture is consistent), and reused until the database changes: `data_version` moves when another
 * connection (another placement-api process) commits, `total_changes()` when this one writes.
 * Callers must treat the snapshot as read-only.
 */
export function loadSnapshot(db: Db): Map<number, ProviderState> {
  return db.transaction(() => {
    const version = `${db.pragma("data_version", { simple: true })}:${db.prepare("SELECT total_changes()").pluck().get()}`;
    const hit = cache.get(db);
    if (hit && hit.version === version) return hit.snapshot;
    const out = new Map<number, ProviderState>();
    for (const row of allProviders(db))
      out.set(row.id, { row, inventories: new Map(), used: new Map(), traits: new Set(), aggregates: new Set() });
    const invs = db
      .prepare("SELECT i.*, rc.name AS rc FROM inventories i JOIN resource_classes rc ON rc.id = i.resource_class_id ORDER BY rc.id")
      .all() as Array<Inventory & { resource_provider_id: number; rc: string }>;
    for (const i of invs) out.get(i.resource_provider_id)?.inventories.set(i.rc, inventoryRecord(i));
    const used = db
      .prepare(
        "SELECT a.resource_provider_id AS rp, rc.name AS rc, SUM(a.used) AS used FROM allocations a JOIN resource_classes rc ON rc.id = a.resource_class_id GROUP BY a.resource_provider_id, rc.name",
      )
      .all() as Array<{ rp: number; rc: string; used: number }>;
    for (const u of used) out.get(u.rp)?.used.set(u.rc, u.used);
    const traits = db
      .prepare("SELECT rpt.resource_provider_id AS rp, t.name FROM resource_provider_traits rpt JOIN traits t ON t.id = rpt.trait_id")
      .all() as Array<{ rp: number; name: string }>;
    for (const t of traits) out.get(t.rp)?.traits.add(t.name);
    const aggs = db
      .prepare(
        "SELECT rpa.resource_provider_id AS rp, pa.uuid FROM resource_provider_aggregates rpa JOIN placement_aggregates pa ON pa.id = rpa.aggregate_id",
      )
      .all() as Array<{ rp: number; uuid: string }>;
    for (const a of aggs) out.get(a.rp)?.aggregates.add(a.uuid);
    cache.set(db, { version, snapshot: out });
    return out;
  })();
}

/** Room left for `rc` on a provider, after what `extra` already claims in the request being built. */
export function fits(p: ProviderState, rc: string, amount: number, extra = 0): boolean {
  const inv = p.inventories.get(rc);
  if (!inv) return false;
  if (amount < inv.min_unit || amount > inv.max_unit || amount % inv.step_size !== 0) return false;
  return (p.used.get(rc) ?? 0) + extra + amount <= capacity(inv);
}
