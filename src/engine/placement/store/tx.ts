import type { Db } from "../../common/db/database.js";
import { concurrentUpdate } from "../errors.js";

export const now = () => new Date().toISOString();

/**
 * Run a write as ONE `BEGIN IMMEDIATE` transaction: the write lock is taken before the first read, so
 * capacity and generation checks see what no other process can change until we commit. A writer that
 * cannot get the lock within busy_timeout is a lost race: 409 placement.concurrent_update.
 */
export function writeTx<T>(db: Db, fn: () => T): T {
  try {
    return db.transaction(fn).immediate();
  } catch (err) {
    const code = (err as { code?: string }).code ?? "";
    if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED"))
      throw concurrentUpdate("Another thread concurrently updated the data. Please retry your update");
    throw err;
  }
}
