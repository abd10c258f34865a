import type { Db } from "../../common/db/database.js";
import { ErrorCode, GenerationConflict, badRequest, conflict, notFound } from "../errors.js";
import { now } from "./tx.js";
import { stmt } from "../../common/db/statements.js";

export interface ProviderRow {
  id: number;
  uuid: string;
  name: string;
  generation: number;
  root_provider_id: number;
  parent_provider_id: number | null;
  root_provider_uuid: string;
  parent_provider_uuid: string | null;
  created_at: string;
  updated_at: string | null;
}

const SELECT = `SELECT rp.*, root.uuid AS root_provider_uuid, parent.uuid AS parent_provider_uuid
  FROM resource_providers rp
  LEFT JOIN resource_providers root ON root.id = rp.root_provider_id
  LEFT JOIN resource_providers parent ON parent.id = rp.parent_provider_id`;

export function getProvider(db: Db, uuid: string): ProviderRow | undefined {
  return stmt(db, `${SELECT} WHERE rp.uuid = ?`).get(uuid) as ProviderRow | undefined;
}

export function allProviders(db: Db): ProviderRow[] {
  return stmt(db, `${SELECT} ORDER BY rp.id`).all() as ProviderRow[];
}

/** The provider or a 404 worded as the caller's handler words it. */
export function requireProvider(db: Db, uuid: string, message = `No resource provider with uuid ${uuid} found`): ProviderRow {
  const rp = getProvider(db, uuid);
  if (!rp) throw notFound(message);
  return rp;
}

/**
 * Bump a provider's generation if it still is `expected` (or unconditionally when expected is
 * undefined). Every change to a provider's inventory, traits, aggregates or allocations does this, so a
 * client holding an old generation learns that someone else changed the provider.
 */
export function bumpGeneration(db: Db, rp: { id: number }, expected?: number): number {
  const res =
    expected === undefined
      ? stmt(db, "UPDATE resource_providers SET generation = generation + 1, updated_at = ? WHERE id = ?").run(now(), rp.id)
      : stmt(db, "UPDATE resource_providers SET generation = generation + 1, updated_at = ? WHERE id = ? AND generation = ?").run(
          now(),
          rp.id,
          expected,
        );
  if (res.changes === 0) throw new GenerationConflict("resource provider generation conflict");
  return (stmt(db, "SELECT generation FROM resource_providers WHERE id = ?").get(rp.id) as { generation: number }).generation;
}

function duplicate(db: Db, name: string, uuid: string, selfId?: number): void {
  const byUuid = stmt(db, "SELECT id FROM resource_providers WHERE uuid = ?").get(uuid) as { id: number } | undefined;
  if (byUuid && byUuid.id !== selfId)
    throw conflict(`Conflicting resource provider uuid: ${uuid} already exists.`, ErrorCode.DUPLICATE_NAME);
  const byName = stmt(db, "SELECT id FROM resource_providers WHERE name = ?").get(name) as { id: number } | undefined;
  if (byName && byName.id !== selfId)
    throw conflict(`Conflicting resource provider name: ${name} already exists.`, ErrorCode.DUPLICATE_NAME);
}

function parentOf(db: Db, parentUuid: string): ProviderRow {
  const parent = getProvider(db, parentUuid);
  if (!parent) throw badRequest(`parent provider UUID does not exist.`);
  return parent;
}

export function createProvider(db: Db, uuid: string, name: string, parentUuid: string | null): ProviderRow {
  duplicate(db, name, uuid);
  const parent = parentUuid ? parentOf(db, parentUuid) : undefined;
  const ts = now();
  const info = stmt(
    db,
    "INSERT INTO resource_providers (uuid, name, generation, parent_provider_id, root_provider_id, created_at, updated_at) VALUES (?, ?, 0, ?, ?, ?, ?)",
  ).run(uuid, name, parent?.id ?? null, parent?.root_provider_id ?? null, ts, ts);
  const id = Number(info.lastInsertRowid);
  if (!parent) stmt(db, "UPDATE resource_providers SET root_provider_id = id WHERE id = ?").run(id);
  return getProvider(db, uuid) as ProviderRow;
}

/** Ids of a provider and everything below it. */
export function subtreeIds(db: Db, id: number): number[] {
  const rows = stmt(
    db,
    `WITH RECURSIVE sub(id) AS (SELECT ? UNION ALL SELECT rp.id FROM resource_providers rp JOIN sub ON rp.parent_provider_id = sub.id) SELECT id FROM sub`,
  ).all(id) as Array<{ id: number }>;
  return rows.map((r) => r.id);
}

/**
 * Rename and/or move a provider. Before 1.37 a parent, once set, cannot change; from 1.37 a provider
 * may move to another parent or become a root, but never under its own subtree.
 */
export function updateProvider(
  db: Db,
  rp: ProviderRow,
  name: string,
  parentUuid: string | null | undefined,
  allowReparent: boolean,
): ProviderRow {
  duplicate(db, name, rp.uuid, rp.id);
  let parentId = rp.parent_provider_id;
  if (parentUuid !== undefined && parentUuid !== rp.parent_provider_uuid) {
    if (!allowReparent) {
      if (rp.parent_provider_uuid !== null)
        throw badRequest("Unable to save resource provider " + rp.uuid + ": re-parenting a provider is not currently allowed.");
      if (parentUuid === null)
        throw badRequest("Unable to save resource provider " + rp.uuid + ": un-parenting a provider is not currently allowed.");
    }
    const subtree = subtreeIds(db, rp.id);
    if (parentUuid !== null) {
      const parent = parentOf(db, parentUuid);
      if (subtree.includes(parent.id))
        throw badRequest(`Unable to save resource provider ${rp.uuid}: creating loop in the provider tree is not allowed.`);
      parentId = parent.id;
    } else parentId = null;
    const newRoot =
      parentId === null
        ? rp.id
        : (stmt(db, "SELECT root_provider_id AS r FROM resource_providers WHERE id = ?").get(parentId) as { r: number }).r;
    const setRoot = stmt(db, "UPDATE resource_providers SET root_provider_id = ? WHERE id = ?");
    for (const id of subtree) setRoot.run(newRoot, id);
  }
  stmt(db, "UPDATE resource_providers SET name = ?, parent_provider_id = ?, generation = generation + 1, updated_at = ? WHERE id = ?").run(
    name,
    parentId,
    now(),
    rp.id,
  );
  return getProvider(db, rp.uuid) as ProviderRow;
}

export function deleteProvider(db: Db, uuid: string): void {
  const rp = getProvider(db, uuid);
  if (!rp) throw notFound(`No resource provider with uuid ${uuid} found for delete`);
  if (stmt(db, "SELECT 1 FROM allocations WHERE resource_provider_id = ? LIMIT 1").get(rp.id))
    throw conflict(`Unable to delete resource provider ${uuid}: Resource provider has allocations.`, ErrorCode.PROVIDER_IN_USE);
  if (stmt(db, "SELECT 1 FROM resource_providers WHERE parent_provider_id = ? LIMIT 1").get(rp.id))
    throw conflict(
      `Unable to delete parent resource provider ${uuid}: It has child resource providers.`,
      ErrorCode.PROVIDER_CANNOT_DELETE_PARENT,
    );
  stmt(db, "DELETE FROM inventories WHERE resource_provider_id = ?").run(rp.id);
  stmt(db, "DELETE FROM resource_provider_traits WHERE resource_provider_id = ?").run(rp.id);
  stmt(db, "DELETE FROM resource_provider_aggregates WHERE resource_provider_id = ?").run(rp.id);
  stmt(db, "UPDATE resource_providers SET root_provider_id = NULL WHERE id = ?").run(rp.id);
  stmt(db, "DELETE FROM resource_providers WHERE id = ?").run(rp.id);
}
