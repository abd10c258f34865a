import type { Db } from "../../common/db/database.js";
import { HttpError } from "../../common/http/errors.js";
import { badRequest, conflict, notFound } from "../errors.js";
import { STANDARD_TRAITS } from "../standard-traits.js";
import { type ProviderRow, bumpGeneration } from "./providers.js";
import { now } from "./tx.js";
import { stmt } from "../../common/db/statements.js";

export interface TraitQuery {
  names?: string[];
  prefix?: string;
  associated?: boolean;
}

export function listTraits(db: Db, q: TraitQuery): string[] {
  const where: string[] = [];
  const params: unknown[] = [];
  if (q.names) {
    where.push(`t.name IN (${q.names.map(() => "?").join(",") || "NULL"})`);
    params.push(...q.names);
  }
  if (q.prefix !== undefined) {
    where.push("substr(t.name, 1, ?) = ?");
    params.push(q.prefix.length, q.prefix);
  }
  if (q.associated !== undefined)
    where.push(`${q.associated ? "" : "NOT "}EXISTS (SELECT 1 FROM resource_provider_traits rpt WHERE rpt.trait_id = t.id)`);
  const text = `SELECT t.name FROM traits t ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY t.name`;
  // Not cached: the text varies with the number of names asked for.
  return (db.prepare(text).all(...params) as Array<{ name: string }>).map((r) => r.name);
}

export const traitExists = (db: Db, name: string) => Boolean(stmt(db, "SELECT 1 FROM traits WHERE name = ?").get(name));

/** PUT /traits/{name}: true when it was created, false when it already existed. */
export function createTrait(db: Db, name: string): boolean {
  if (traitExists(db, name)) return false;
  stmt(db, "INSERT INTO traits (name, created_at) VALUES (?, ?)").run(name, now());
  return true;
}

export function deleteTrait(db: Db, name: string): void {
  const row = stmt(db, "SELECT id FROM traits WHERE name = ?").get(name) as { id: number } | undefined;
  if (!row) throw notFound(`No such trait(s): ${name}.`);
  if (STANDARD_TRAITS.includes(name)) throw badRequest(`Cannot delete standard trait ${name}.`);
  if (stmt(db, "SELECT 1 FROM resource_provider_traits WHERE trait_id = ? LIMIT 1").get(row.id))
    throw conflict(`The trait ${name} is in use by a resource provider.`);
  stmt(db, "DELETE FROM traits WHERE id = ?").run(row.id);
}

export function providerTraits(db: Db, rpId: number): string[] {
  return (
    stmt(
      db,
      "SELECT t.name FROM resource_provider_traits rpt JOIN traits t ON t.id = rpt.trait_id WHERE rpt.resource_provider_id = ? ORDER BY t.name",
    ).all(rpId) as Array<{ name: string }>
  ).map((r) => r.name);
}

/** Unknown trait names among `names` (for the 400 that names them). */
export function missingTraits(db: Db, names: string[]): string[] {
  return names.filter((n) => !traitExists(db, n));
}

/** Replace a provider's traits; the caller's generation must match (409 otherwise). */
export function setProviderTraits(db: Db, rp: ProviderRow, expectedGeneration: number | undefined, names: string[]): number {
  const missing = missingTraits(db, names);
  if (missing.length > 0) throw badRequest(`No such trait(s): ${missing.join(", ")}`);
  const generation = bumpGeneration(db, rp, expectedGeneration);
  stmt(db, "DELETE FROM resource_provider_traits WHERE resource_provider_id = ?").run(rp.id);
  const add = stmt(
    db,
    "INSERT INTO resource_provider_traits (trait_id, resource_provider_id, created_at) SELECT id, ?, ? FROM traits WHERE name = ?",
  );
  const ts = now();
  for (const name of new Set(names)) add.run(rp.id, ts, name);
  return generation;
}

export const invalidTrait = () =>
  new HttpError(
    400,
    'The trait is invalid. A valid trait must be no longer than 255 characters, start with the prefix "CUSTOM_" and use following characters: "A"-"Z", "0"-"9" and "_"',
  );
