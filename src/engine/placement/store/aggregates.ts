import type { Db } from "../../common/db/database.js";
import { type ProviderRow, bumpGeneration } from "./providers.js";
import { now } from "./tx.js";
import { stmt } from "../../common/db/statements.js";

export function providerAggregates(db: Db, rpId: number): string[] {
  return (
    stmt(
      db,
      "SELECT pa.uuid FROM resource_provider_aggregates rpa JOIN placement_aggregates pa ON pa.id = rpa.aggregate_id WHERE rpa.resource_provider_id = ? ORDER BY pa.uuid",
    ).all(rpId) as Array<{ uuid: string }>
  ).map((r) => r.uuid);
}

/**
 * Replace a provider's aggregate membership. From 1.19 the caller sends the provider generation and
 * a stale one is a 409; before 1.19 (expected undefined) the generation is not checked nor bumped.
 */
export function setProviderAggregates(db: Db, rp: ProviderRow, expectedGeneration: number | undefined, uuids: string[]): number {
  const generation = expectedGeneration === undefined ? rp.generation : bumpGeneration(db, rp, expectedGeneration);
  stmt(db, "DELETE FROM resource_provider_aggregates WHERE resource_provider_id = ?").run(rp.id);
  const ts = now();
  for (const uuid of new Set(uuids)) {
    stmt(db, "INSERT OR IGNORE INTO placement_aggregates (uuid, created_at) VALUES (?, ?)").run(uuid, ts);
    stmt(
      db,
      "INSERT INTO resource_provider_aggregates (resource_provider_id, aggregate_id, created_at) SELECT ?, id, ? FROM placement_aggregates WHERE uuid = ?",
    ).run(rp.id, ts, uuid);
  }
  return generation;
}
