import type { Statement } from "better-sqlite3";
import type { Db } from "./database.js";

// Preparing a statement costs more than running a small one (it was the top entry when profiling
// Placement's creation of 1,000 providers and nova-api's server lists): each handle keeps its prepared
// statements, keyed by the SQL text.
const prepared = new WeakMap<Db, Map<string, Statement>>();

/**
 * `db.prepare(sql)`, once per handle and SQL text (values go in as parameters, never spliced in). The
 * statement is shared: one switched to `.raw()`, `.pluck()` or `.expand()` stays so, so use such a text
 * in one mode only.
 */
export function stmt(db: Db, sql: string): Statement {
  let byText = prepared.get(db);
  if (!byText) {
    byText = new Map();
    prepared.set(db, byText);
  }
  let s = byText.get(sql);
  if (!s) {
    s = db.prepare(sql);
    // Texts built from a request's filters vary: keep the cache bounded.
    if (byText.size >= 500) byText.clear();
    byText.set(sql, s);
  }
  return s;
}
