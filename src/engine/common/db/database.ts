import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";

export type Db = Database.Database;

/** One migration: a version number and the SQL (or function) that brings the schema to it. */
export interface Migration {
  version: number;
  description: string;
  up: string | ((db: Db) => void);
}

export interface OpenOptions {
  journalMode?: string;
  synchronous?: string;
  busyTimeout?: number;
}

/**
 * Open a service database: WAL (readers never block the writer, a crash never corrupts it), a busy
 * timeout so concurrent processes wait instead of failing, foreign keys on.
 */
export function openDatabase(file: string, opts: OpenOptions = {}): Db {
  if (file !== ":memory:") {
    mkdirSync(dirname(file), { recursive: true });
    // Databases hold password hashes and credentials: owner-only, like the keys. SQLite gives the
    // -wal/-shm files the mode of the main file, so creating it 0600 first covers them too.
    if (!existsSync(file)) closeSync(openSync(file, "a", 0o600));
    chmodSync(file, 0o600);
  }
  const db = new Database(file);
  db.pragma(`journal_mode = ${opts.journalMode ?? "WAL"}`);
  db.pragma(`synchronous = ${opts.synchronous ?? "NORMAL"}`);
  db.pragma(`busy_timeout = ${opts.busyTimeout ?? 5000}`);
  db.pragma("foreign_keys = ON");
  immediateByDefault(db);
  return db;
}

/**
 * Make `db.transaction(fn)()` start with BEGIN IMMEDIATE. A deferred transaction that reads and then
 * writes fails at once with "database is locked" when another process wrote in between (SQLite cannot
 * wait there without risking a deadlock); an immediate one takes the write lock first and waits up to
 * busy_timeout. Several processes write each database here (conductors, APIs), so every transaction
 * is immediate; `.deferred` stays available for read-only work.
 */
function immediateByDefault(db: Db): void {
  const original = db.transaction.bind(db);
  db.transaction = ((fn: (...args: unknown[]) => unknown) => {
    const tx = original(fn);
    const run = ((...args: unknown[]) => tx.immediate(...args)) as typeof tx;
    return Object.assign(run, { default: tx.immediate, deferred: tx.deferred, immediate: tx.immediate, exclusive: tx.exclusive });
  }) as Db["transaction"];
}

/**
 * `db sync`: apply every migration above the stored version, each in its own transaction, and record
 * it in schema_version (like alembic's version table). Returns the versions applied.
 */
export function migrate(db: Db, migrations: Migration[]): number[] {
  db.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL)");
  const current = (db.prepare("SELECT MAX(version) AS v FROM schema_version").get() as { v: number | null }).v ?? 0;
  const applied: number[] = [];
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    if (m.version <= current) continue;
    db.transaction(() => {
      if (typeof m.up === "string") db.exec(m.up);
      else m.up(db);
      db.prepare("INSERT INTO schema_version (version, description, applied_at) VALUES (?, ?, ?)").run(
        m.version,
        m.description,
        new Date().toISOString(),
      );
    })();
    applied.push(m.version);
  }
  return applied;
}

export function schemaVersion(db: Db): number {
  const row = db.prepare("SELECT MAX(version) AS v FROM schema_version").get() as { v: number | null } | undefined;
  return row?.v ?? 0;
}
