import type { Db } from "../../common/db/database.js";
import { HttpError } from "../../common/http/errors.js";
import { badRequest } from "../errors.js";
import { type ConsumerClaim, bumpConsumer, deleteConsumerIfEmpty, ensureConsumer } from "./consumers.js";
import { capacity, listInventories } from "./inventories.js";
import { bumpGeneration, getProvider } from "./providers.js";
import { findResourceClass } from "./resource-classes.js";
import { now } from "./tx.js";
import { stmt } from "../../common/db/statements.js";

export interface AllocationRow {
  resource_provider_id: number;
  resource_provider_uuid: string;
  resource_provider_generation: number;
  consumer_id: string;
  resource_class: string;
  used: number;
  updated_at: string | null;
  created_at: string;
}

const SELECT = `SELECT a.resource_provider_id, rp.uuid AS resource_provider_uuid, rp.generation AS resource_provider_generation,
  a.consumer_id, rc.name AS resource_class, a.used, a.created_at, a.updated_at
  FROM allocations a JOIN resource_providers rp ON rp.id = a.resource_provider_id JOIN resource_classes rc ON rc.id = a.resource_class_id`;

export function allocationsForConsumer(db: Db, consumerUuid: string): AllocationRow[] {
  return stmt(db, `${SELECT} WHERE a.consumer_id = ? ORDER BY a.id`).all(consumerUuid) as AllocationRow[];
}

export function allocationsForProvider(db: Db, rpId: number): AllocationRow[] {
  return stmt(db, `${SELECT} WHERE a.resource_provider_id = ? ORDER BY a.id`).all(rpId) as AllocationRow[];
}

/** One consumer's full set of allocations: provider uuid → resource class → amount. Empty = remove all. */
export interface ConsumerAllocations extends ConsumerClaim {
  allocations: Record<string, Record<string, number>>;
}

const inventoryFailure = (msg: string) => new HttpError(409, `Unable to allocate inventory: ${msg}`);

/**
 * Replace the allocations of one or more consumers atomically (PUT /allocations/{c}, POST /allocations,
 * and the allocation half of /reshaper). Old allocations of those consumers are dropped first, so
 * moving resources from one consumer to another in one request works. Then, per provider and class:
 * the inventory must exist, each amount must respect min_unit/max_unit/step_size, and the provider's
 * total usage must stay within capacity. Call inside writeTx: the checks and the writes form one
 * BEGIN IMMEDIATE transaction, so no other writer can slip an allocation in between.
 */
export function replaceAllocations(
  db: Db,
  consumers: ConsumerAllocations[],
  checkConsumerGeneration: boolean,
  afterRemoval?: () => void,
): void {
  const touched = new Set<number>();
  const claimed = consumers.map((c) => ({ spec: c, consumer: ensureConsumer(db, c, checkConsumerGeneration) }));
  for (const { spec } of claimed) {
    for (const row of stmt(db, "SELECT DISTINCT resource_provider_id AS id FROM allocations WHERE consumer_id = ?").all(
      spec.uuid,
    ) as Array<{
      id: number;
    }>)
      touched.add(row.id);
    stmt(db, "DELETE FROM allocations WHERE consumer_id = ?").run(spec.uuid);
  }
  // /reshaper changes inventories here: after the moving allocations are lifted, before they land again.
  afterRemoval?.();
  const toCheck = new Map<string, { rpId: number; rpUuid: string; rcId: number; rc: string }>();
  const insert = stmt(
    db,
    "INSERT INTO allocations (resource_provider_id, consumer_id, resource_class_id, used, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
  );
  const ts = now();
  for (const { spec } of claimed) {
    for (const [rpUuid, resources] of Object.entries(spec.allocations)) {
      const rp = getProvider(db, rpUuid);
      if (!rp) throw badRequest(`Allocation for resource provider '${rpUuid}' that does not exist.`);
      const inventories = listInventories(db, rp.id);
      for (const [rc, used] of Object.entries(resources)) {
        const rcRow = findResourceClass(db, rc);
        if (!rcRow) throw badRequest(`Unable to allocate inventory for consumer ${spec.uuid}: No such resource class ${rc}.`);
        const inv = inventories.find((i) => i.resource_class_id === rcRow.id);
        if (!inv) throw inventoryFailure(`Inventory for '${rc}' on resource provider '${rpUuid}' invalid.`);
        if (used < inv.min_unit || used > inv.max_unit || used % inv.step_size !== 0)
          throw inventoryFailure(
            `Unable to create allocation for '${rc}' on resource provider '${rpUuid}'. The requested amount would violate inventory constraints.`,
          );
        insert.run(rp.id, spec.uuid, rcRow.id, used, ts, ts);
        toCheck.set(`${rp.id}:${rcRow.id}`, { rpId: rp.id, rpUuid, rcId: rcRow.id, rc });
        touched.add(rp.id);
      }
    }
  }
  const sumUsed = stmt(
    db,
    "SELECT COALESCE(SUM(used), 0) AS used FROM allocations WHERE resource_provider_id = ? AND resource_class_id = ?",
  );
  for (const { rpId, rpUuid, rcId, rc } of toCheck.values()) {
    const inv = listInventories(db, rpId).find((i) => i.resource_class_id === rcId);
    const used = (sumUsed.get(rpId, rcId) as { used: number }).used;
    if (!inv || used > capacity(inv))
      throw inventoryFailure(
        `Unable to create allocation for '${rc}' on resource provider '${rpUuid}'. The requested amount would exceed the capacity.`,
      );
  }
  for (const id of touched) bumpGeneration(db, { id });
  for (const { spec, consumer } of claimed) {
    bumpConsumer(db, consumer.id);
    deleteConsumerIfEmpty(db, spec.uuid);
  }
}

/** DELETE /allocations/{consumer}: false when the consumer holds nothing. */
export function deleteAllocations(db: Db, consumerUuid: string): boolean {
  const providers = stmt(db, "SELECT DISTINCT resource_provider_id AS id FROM allocations WHERE consumer_id = ?").all(
    consumerUuid,
  ) as Array<{ id: number }>;
  if (providers.length === 0) return false;
  stmt(db, "DELETE FROM allocations WHERE consumer_id = ?").run(consumerUuid);
  for (const p of providers) bumpGeneration(db, p);
  stmt(db, "DELETE FROM consumers WHERE uuid = ?").run(consumerUuid);
  return true;
}
