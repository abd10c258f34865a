import type { Statement } from "better-sqlite3";
import type { Db } from "../../common/db/database.js";

const caches = new WeakMap<Db, Map<string, Statement>>();

/**
 * A prepared statement, compiled once per connection and reused: preparing is most of the cost of a
 * small query (it showed as the top entry when profiling the creation of 1,000 providers). Callers
 * must not change a statement's mode (raw/pluck/expand) unless that SQL text is used only that way.
 */
export function sql(db: Db, text: string): Statement {
  let cache = caches.get(db);
  if (!cache) {
    cache = new Map();
    caches.set(db, cache);
  }
  let stmt = cache.get(text);
  if (!stmt) {
    stmt = db.prepare(text);
    cache.set(text, stmt);
  }
  return stmt;
}
