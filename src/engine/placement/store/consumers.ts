import type { Db } from "../../common/db/database.js";
import { concurrentUpdate } from "../errors.js";
import { now } from "./tx.js";
import { stmt } from "../../common/db/statements.js";

/** Placement's [placement] incomplete_consumer_project_id / _user_id: owners of pre-1.8 allocations. */
export const INCOMPLETE_CONSUMER_ID = "00000000-0000-0000-0000-000000000000";

export interface ConsumerRow {
  id: number;
  uuid: string;
  project_id: string;
  user_id: string;
  generation: number;
  consumer_type: string | null;
  created_at: string;
  updated_at: string | null;
}

export function getConsumer(db: Db, uuid: string): ConsumerRow | undefined {
  return stmt(
    db,
    `SELECT c.id, c.uuid, p.external_id AS project_id, u.external_id AS user_id, c.generation, ct.name AS consumer_type, c.created_at, c.updated_at
       FROM consumers c JOIN projects p ON p.id = c.project_id JOIN users u ON u.id = c.user_id
       LEFT JOIN consumer_types ct ON ct.id = c.consumer_type_id WHERE c.uuid = ?`,
  ).get(uuid) as ConsumerRow | undefined;
}

function idFor(db: Db, table: "projects" | "users", externalId: string): number {
  const row = stmt(db, `SELECT id FROM ${table} WHERE external_id = ?`).get(externalId) as { id: number } | undefined;
  if (row) return row.id;
  return Number(stmt(db, `INSERT INTO ${table} (external_id, created_at) VALUES (?, ?)`).run(externalId, now()).lastInsertRowid);
}

export function consumerTypeId(db: Db, name: string): number {
  const row = stmt(db, "SELECT id FROM consumer_types WHERE name = ?").get(name) as { id: number } | undefined;
  if (row) return row.id;
  return Number(stmt(db, "INSERT INTO consumer_types (name, created_at) VALUES (?, ?)").run(name, now()).lastInsertRowid);
}

export interface ConsumerClaim {
  uuid: string;
  project_id?: string;
  user_id?: string;
  /** What the client believes the consumer's generation is: null for "a new consumer". */
  generation?: number | null;
  consumer_type?: string;
}

/**
 * Find or create a consumer and record who owns it, checking the client's consumer generation when the
 * microversion asks for it (1.28): a stale or missing generation is a 409 placement.concurrent_update.
 * Must run inside the write transaction so the check and the write cannot be separated by another writer.
 */
export function ensureConsumer(db: Db, claim: ConsumerClaim, checkGeneration: boolean): ConsumerRow {
  const project = idFor(db, "projects", claim.project_id ?? INCOMPLETE_CONSUMER_ID);
  const user = idFor(db, "users", claim.project_id === undefined ? INCOMPLETE_CONSUMER_ID : (claim.user_id ?? INCOMPLETE_CONSUMER_ID));
  const typeId = claim.consumer_type ? consumerTypeId(db, claim.consumer_type) : undefined;
  const existing = getConsumer(db, claim.uuid);
  if (existing) {
    if (checkGeneration && existing.generation !== claim.generation)
      throw concurrentUpdate(`consumer generation conflict - expected ${existing.generation} but got ${claim.generation ?? null}`);
    stmt(db, "UPDATE consumers SET project_id = ?, user_id = ?, consumer_type_id = COALESCE(?, consumer_type_id) WHERE id = ?").run(
      project,
      user,
      typeId ?? null,
      existing.id,
    );
    return getConsumer(db, claim.uuid) as ConsumerRow;
  }
  if (checkGeneration && claim.generation !== null && claim.generation !== undefined)
    throw concurrentUpdate(`consumer generation conflict - expected null but got ${claim.generation}`);
  const ts = now();
  stmt(
    db,
    "INSERT INTO consumers (uuid, project_id, user_id, generation, consumer_type_id, created_at, updated_at) VALUES (?, ?, ?, 0, ?, ?, ?)",
  ).run(claim.uuid, project, user, typeId ?? null, ts, ts);
  return getConsumer(db, claim.uuid) as ConsumerRow;
}

/** A consumer's generation moves on every write of its allocations. */
export function bumpConsumer(db: Db, id: number): void {
  stmt(db, "UPDATE consumers SET generation = generation + 1, updated_at = ? WHERE id = ?").run(now(), id);
}

/** Placement forgets a consumer once it holds no allocations. */
export function deleteConsumerIfEmpty(db: Db, uuid: string): void {
  if (!stmt(db, "SELECT 1 FROM allocations WHERE consumer_id = ? LIMIT 1").get(uuid))
    stmt(db, "DELETE FROM consumers WHERE uuid = ?").run(uuid);
}
