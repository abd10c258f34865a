import type { Statement } from "better-sqlite3";
import type { Db } from "../../common/db/database.js";

// Preparing a statement costs more than running a small one; the list and show paths run the same few
// SQL texts on every request, so each handle keeps its prepared statements (keyed by the SQL text).
const prepared = new WeakMap<Db, Map<string, Statement>>();

/**
 * `db.prepare(sql)`, once per handle and SQL text (values go in as parameters, never spliced in). The
 * statement is shared: one switched to `.raw()` or `.pluck()` stays so, so use such a text in one mode only.
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
