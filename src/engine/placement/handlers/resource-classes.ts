import { empty } from "../../common/http/types.js";
import { HttpError } from "../../common/http/errors.js";
import { ErrorCode, badRequest, notFound } from "../errors.js";
import { resourceClassBody } from "../schemas.js";
import { CUSTOM_NAME, isStandardResourceClass } from "../standard-resource-classes.js";
import { createCustomResourceClass, deleteCustomResourceClass, findResourceClass, listResourceClasses } from "../store/resource-classes.js";
import { now, writeTx } from "../store/tx.js";
import { type Call, ok, since } from "./call.js";
import { stmt } from "../../common/db/statements.js";

const classJson = (c: Call, name: string) => ({ name, links: [{ rel: "self", href: c.href(`/resource_classes/${name}`) }] });

export function listResourceClassesHandler(c: Call) {
  since(2)(c);
  c.can("placement:resource_classes:list");
  const rows = listResourceClasses(c.db);
  return ok(c, { resource_classes: rows.map((r) => classJson(c, r.name)) });
}

export async function createResourceClassHandler(c: Call) {
  since(2)(c);
  c.can("placement:resource_classes:create");
  const { name } = await c.body<{ name: string }>(resourceClassBody);
  try {
    writeTx(c.db, () => createCustomResourceClass(c.db, name));
  } catch (err) {
    if (err instanceof HttpError && err.status === 409) throw new HttpError(409, err.message, { code: ErrorCode.DUPLICATE_NAME });
    throw err;
  }
  return empty(201, { location: c.href(`/resource_classes/${name}`) });
}

export function showResourceClassHandler(c: Call) {
  since(2)(c);
  c.can("placement:resource_classes:show");
  const row = findResourceClass(c.db, c.params.name ?? "");
  if (!row) throw notFound(`No such resource class ${c.params.name}.`);
  return ok(c, classJson(c, row.name), { lastModified: [row.updated_at ?? row.created_at] });
}

/** 1.2–1.6: rename a custom class; from 1.7: bodiless create-if-missing (201, or 204 when it exists). */
export async function putResourceClassHandler(c: Call) {
  since(2)(c);
  c.can("placement:resource_classes:update");
  const name = c.params.name ?? "";
  if (c.v.at(7)) {
    if (!CUSTOM_NAME.test(name)) throw badRequest(`JSON does not validate: '${name}' does not match '^CUSTOM_[A-Z0-9_]+$'`);
    const created = writeTx(c.db, () => {
      if (findResourceClass(c.db, name)) return false;
      createCustomResourceClass(c.db, name);
      return true;
    });
    return empty(created ? 201 : 204, { location: c.href(`/resource_classes/${name}`) });
  }
  const { name: newName } = await c.body<{ name: string }>(resourceClassBody);
  const row = findResourceClass(c.db, name);
  if (!row) throw notFound(`No such resource class ${name}.`);
  if (isStandardResourceClass(name)) throw badRequest(`Cannot update standard resource class ${name}`);
  writeTx(c.db, () => {
    if (findResourceClass(c.db, newName))
      throw new HttpError(409, `Resource class already exists: ${newName}`, { code: ErrorCode.DUPLICATE_NAME });
    stmt(c.db, "UPDATE resource_classes SET name = ?, updated_at = ? WHERE id = ?").run(newName, now(), row.id);
  });
  return ok(c, classJson(c, newName));
}

export function deleteResourceClassHandler(c: Call) {
  since(2)(c);
  c.can("placement:resource_classes:delete");
  writeTx(c.db, () => deleteCustomResourceClass(c.db, c.params.name ?? ""));
  return empty(204);
}
