import { isAbsolute, join } from "node:path";
import type { Config } from "../../common/config/config.js";
import { type Db, migrate, openDatabase } from "../../common/db/database.js";
import { layout } from "../../common/paths.js";
import { NOVA_API_MIGRATIONS } from "./api-migrations.js";
import { NOVA_CELL_MIGRATIONS } from "./cell-migrations.js";

export interface DbSettings {
  journalMode?: string;
  synchronous?: string;
  busyTimeout?: number;
}

export function dbSettings(config?: Config): DbSettings {
  if (!config) return {};
  return {
    journalMode: config.str("database", "journal_mode"),
    synchronous: config.str("database", "synchronous"),
    busyTimeout: config.int("database", "busy_timeout"),
  };
}

const handles = new Map<string, Db>();

/** One handle per file per process (better-sqlite3 is synchronous; sharing it is both safe and cheap). */
function openOnce(file: string, settings: DbSettings, sync: (db: Db) => void): Db {
  const known = handles.get(file);
  if (known?.open) return known;
  const db = openDatabase(file, settings);
  sync(db);
  handles.set(file, db);
  return db;
}

/** nova_api, migrated (`nova-manage api_db sync` happens on open, as every pocketstack service does). */
export function openApiDb(stateDir: string, settings: DbSettings = {}): Db {
  return openOnce(layout(stateDir).db("nova_api"), settings, (db) => migrate(db, NOVA_API_MIGRATIONS));
}

/**
 * A cell database from its cell mapping's `database_connection`: `sqlite:///<path>`, where a relative
 * path is under the state dir's db/ folder (so a state dir can be moved), as `nova-manage db sync` does.
 */
export function cellDbFile(stateDir: string, connection: string): string {
  const m = /^sqlite:\/\/\/(.+)$/.exec(connection);
  if (!m?.[1]) throw new Error(`unsupported database connection '${connection}': expected sqlite:///<file>`);
  return isAbsolute(m[1]) ? m[1] : join(layout(stateDir).root, "db", m[1]);
}

export function openCellDb(stateDir: string, connection: string, settings: DbSettings = {}): Db {
  return openOnce(cellDbFile(stateDir, connection), settings, (db) => {
    migrate(db, NOVA_CELL_MIGRATIONS);
    addRegexp(db);
  });
}

/**
 * SQLite's `X REGEXP Y` calls a user function regexp(Y, X); Nova registers one on SQLite too, for the
 * regex filters of the server list (`?name=^web-`). Search semantics (Python's re.search), NULL never matches.
 */
function addRegexp(db: Db): void {
  const compiled = new Map<string, RegExp>();
  db.function("regexp", { deterministic: true }, (pattern: unknown, value: unknown) => {
    if (typeof pattern !== "string" || value === null || value === undefined) return 0;
    let re = compiled.get(pattern);
    if (!re) {
      if (compiled.size > 100) compiled.clear();
      re = new RegExp(pattern);
      compiled.set(pattern, re);
    }
    return re.test(String(value)) ? 1 : 0;
  });
}

export function closeAllDbs(): void {
  for (const db of handles.values()) if (db.open) db.close();
  handles.clear();
}

/** Nova's timestamps, naive UTC with microseconds: 2019-11-18T08:35:04.000000. */
export function utcNow(): string {
  return new Date().toISOString().replace("Z", "000");
}
