import type { Db } from "../../common/db/database.js";
import { HttpError } from "../../common/http/errors.js";
import { CUSTOM_ID_BASE, isStandardResourceClass } from "../standard-resource-classes.js";
import { badRequest, conflict, notFound } from "../errors.js";
import { now } from "./tx.js";
import { stmt } from "../../common/db/statements.js";

export interface ResourceClassRow {
  id: number;
  name: string;
  created_at: string;
  updated_at: string | null;
}

export function listResourceClasses(db: Db): ResourceClassRow[] {
  return stmt(db, "SELECT * FROM resource_classes ORDER BY id").all() as ResourceClassRow[];
}

export function findResourceClass(db: Db, name: string): ResourceClassRow | undefined {
  return stmt(db, "SELECT * FROM resource_classes WHERE name = ?").get(name) as ResourceClassRow | undefined;
}

/** Resource class id by name, or a 400 naming the unknown class (what inventories/allocations answer). */
export function resourceClassId(db: Db, name: string, problem = (n: string) => `No such resource class ${n}.`): number {
  const row = findResourceClass(db, name);
  if (!row) throw badRequest(problem(name));
  return row.id;
}

/** id → name for every class, for rendering rows. */
export function resourceClassNames(db: Db): Map<number, string> {
  return new Map(listResourceClasses(db).map((r) => [r.id, r.name]));
}

export function createCustomResourceClass(db: Db, name: string): ResourceClassRow {
  if (findResourceClass(db, name)) throw conflict(`Conflicting resource class already exists: ${name}`);
  const maxId = (stmt(db, "SELECT MAX(id) AS m FROM resource_classes").get() as { m: number }).m;
  const id = Math.max(CUSTOM_ID_BASE, maxId + 1);
  stmt(db, "INSERT INTO resource_classes (id, name, created_at) VALUES (?, ?, ?)").run(id, name, now());
  return findResourceClass(db, name) as ResourceClassRow;
}

export function deleteCustomResourceClass(db: Db, name: string): void {
  const row = findResourceClass(db, name);
  if (!row) throw notFound(`No such resource class ${name}.`);
  if (isStandardResourceClass(name)) throw badRequest(`Error in delete resource class: Cannot delete standard resource class ${name}.`);
  const inUse = stmt(db, "SELECT 1 FROM inventories WHERE resource_class_id = ? LIMIT 1").get(row.id);
  if (inUse)
    throw new HttpError(409, `Error in delete resource class: Cannot delete resource class ${name}. Class is in use in inventory.`);
  stmt(db, "DELETE FROM resource_classes WHERE id = ?").run(row.id);
}
