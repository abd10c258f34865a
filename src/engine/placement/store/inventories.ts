import type { Db } from "../../common/db/database.js";
import { ErrorCode, conflict } from "../errors.js";
import { type ProviderRow, bumpGeneration } from "./providers.js";
import { resourceClassId } from "./resource-classes.js";
import { now } from "./tx.js";
import { stmt } from "../../common/db/statements.js";

export const MAX_INT = 2147483647;

export interface Inventory {
  total: number;
  reserved: number;
  min_unit: number;
  max_unit: number;
  step_size: number;
  allocation_ratio: number;
}
export interface InventoryRow extends Inventory {
  id: number;
  resource_class: string;
  resource_class_id: number;
  updated_at: string | null;
  created_at: string;
}

export const INVENTORY_DEFAULTS: Omit<Inventory, "total"> = {
  reserved: 0,
  min_unit: 1,
  max_unit: MAX_INT,
  step_size: 1,
  allocation_ratio: 1.0,
};

/** What can be allocated from an inventory: (total - reserved) * allocation_ratio, rounded down. */
export const capacity = (inv: Inventory) => Math.floor((inv.total - inv.reserved) * inv.allocation_ratio);

export function listInventories(db: Db, rpId: number): InventoryRow[] {
  return stmt(
    db,
    `SELECT i.*, rc.name AS resource_class FROM inventories i JOIN resource_classes rc ON rc.id = i.resource_class_id
       WHERE i.resource_provider_id = ? ORDER BY rc.id`,
  ).all(rpId) as InventoryRow[];
}

export function inventoryRecord(row: Inventory): Inventory {
  const { total, reserved, min_unit, max_unit, step_size, allocation_ratio } = row;
  return { total, reserved, min_unit, max_unit, step_size, allocation_ratio };
}

/** Sum of allocations per resource class id on one provider. */
export function usedByClass(db: Db, rpId: number): Map<number, number> {
  const rows = stmt(
    db,
    "SELECT resource_class_id AS rc, SUM(used) AS used FROM allocations WHERE resource_provider_id = ? GROUP BY resource_class_id",
  ).all(rpId) as Array<{ rc: number; used: number }>;
  return new Map(rows.map((r) => [r.rc, r.used]));
}

function refuseIfInUse(db: Db, rp: ProviderRow, classes: Array<{ id: number; name: string }>): void {
  const used = usedByClass(db, rp.id);
  const busy = classes.filter((c) => (used.get(c.id) ?? 0) > 0).map((c) => c.name);
  if (busy.length > 0)
    throw conflict(`Inventory for '${busy.join(", ")}' on resource provider '${rp.uuid}' in use.`, ErrorCode.INVENTORY_INUSE);
}

function upsert(db: Db, rpId: number, rcId: number, inv: Inventory): void {
  const ts = now();
  stmt(
    db,
    `INSERT INTO inventories (resource_provider_id, resource_class_id, total, reserved, min_unit, max_unit, step_size, allocation_ratio, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (resource_provider_id, resource_class_id) DO UPDATE SET total = excluded.total, reserved = excluded.reserved,
       min_unit = excluded.min_unit, max_unit = excluded.max_unit, step_size = excluded.step_size,
       allocation_ratio = excluded.allocation_ratio, updated_at = excluded.updated_at`,
  ).run(rpId, rcId, inv.total, inv.reserved, inv.min_unit, inv.max_unit, inv.step_size, inv.allocation_ratio, ts, ts);
}

/**
 * Replace all of a provider's inventory (PUT …/inventories). A class that disappears while consumers
 * still hold allocations of it is refused (409 placement.inventory.inuse); lowering a total below what
 * is used is allowed, as placement allows it (the provider is then over capacity until usage drops).
 */
export function replaceInventories(db: Db, rp: ProviderRow, expectedGeneration: number, inventories: Record<string, Inventory>): number {
  const generation = bumpGeneration(db, rp, expectedGeneration);
  const wanted = new Map(Object.entries(inventories).map(([rc, inv]) => [resourceClassId(db, rc, unknownClass(rp)), inv]));
  const current = listInventories(db, rp.id);
  const removed = current.filter((c) => !wanted.has(c.resource_class_id));
  refuseIfInUse(
    db,
    rp,
    removed.map((c) => ({ id: c.resource_class_id, name: c.resource_class })),
  );
  for (const c of removed) stmt(db, "DELETE FROM inventories WHERE id = ?").run(c.id);
  for (const [rcId, inv] of wanted) upsert(db, rp.id, rcId, inv);
  return generation;
}

const unknownClass = (rp: ProviderRow) => (rc: string) =>
  `Unknown resource class in inventory for resource provider ${rp.uuid}: No such resource class ${rc}.`;

export function findInventory(db: Db, rpId: number, rcName: string): InventoryRow | undefined {
  return listInventories(db, rpId).find((i) => i.resource_class === rcName);
}

/** POST …/inventories: add one class; 409 if the provider already has it. */
export function addInventory(db: Db, rp: ProviderRow, expectedGeneration: number, rc: string, inv: Inventory): number {
  const rcId = resourceClassId(db, rc, (n) => `Unable to create inventory for resource provider ${rp.uuid}: No such resource class ${n}.`);
  const generation = bumpGeneration(db, rp, expectedGeneration);
  if (findInventory(db, rp.id, rc))
    throw conflict(`Update conflict: Inventory for '${rc}' on resource provider '${rp.uuid}' already exists.`);
  upsert(db, rp.id, rcId, inv);
  return generation;
}

/** PUT …/inventories/{rc}: change one existing class. */
export function updateInventory(db: Db, rp: ProviderRow, expectedGeneration: number, rc: string, inv: Inventory): number | undefined {
  const existing = findInventory(db, rp.id, rc);
  if (!existing) return undefined;
  const generation = bumpGeneration(db, rp, expectedGeneration);
  upsert(db, rp.id, existing.resource_class_id, inv);
  return generation;
}

/** DELETE …/inventories/{rc} (no generation in a DELETE: it bumps whatever it is). */
export function deleteInventory(db: Db, rp: ProviderRow, rc: string): boolean {
  const existing = findInventory(db, rp.id, rc);
  if (!existing) return false;
  refuseIfInUse(db, rp, [{ id: existing.resource_class_id, name: rc }]);
  bumpGeneration(db, rp);
  stmt(db, "DELETE FROM inventories WHERE resource_provider_id = ? AND resource_class_id = ?").run(rp.id, existing.resource_class_id);
  return true;
}

export function deleteAllInventories(db: Db, rp: ProviderRow): void {
  const current = listInventories(db, rp.id);
  refuseIfInUse(
    db,
    rp,
    current.map((c) => ({ id: c.resource_class_id, name: c.resource_class })),
  );
  bumpGeneration(db, rp);
  stmt(db, "DELETE FROM inventories WHERE resource_provider_id = ?").run(rp.id);
}
