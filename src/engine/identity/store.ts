import type { Statement } from "better-sqlite3";
import { type Db, migrate, openDatabase } from "../common/db/database.js";
import { AppCredentialBackend } from "./backends/app-credential.js";
import { AssignmentBackend } from "./backends/assignment.js";
import { CatalogBackend } from "./backends/catalog.js";
import { CredentialBackend } from "./backends/credential.js";
import { EffectiveRoles } from "./backends/effective.js";
import { type HashSettings, IdentityBackend } from "./backends/identity.js";
import { ResourceBackend } from "./backends/resource.js";
import { RevocationBackend } from "./backends/revoke.js";
import { KEYSTONE_MIGRATIONS } from "./db/migrations.js";

export interface StoreOptions {
  hash?: Partial<HashSettings>;
  /** Longest token lifetime (ms), so old revocation events can be dropped. */
  tokenLifetimeMs?: number;
  pragmas?: { journalMode?: string; synchronous?: string; busyTimeout?: number };
}

/** Keystone's backends over one SQLite database (keystone.sqlite), migrated on open (`db_sync`). */
export class KeystoneStore {
  readonly resource: ResourceBackend;
  readonly identity: IdentityBackend;
  readonly assignment: AssignmentBackend;
  readonly effective: EffectiveRoles;
  readonly catalog: CatalogBackend;
  readonly credential: CredentialBackend;
  readonly appCredential: AppCredentialBackend;
  readonly revoke: RevocationBackend;

  constructor(
    readonly db: Db,
    opts: StoreOptions = {},
  ) {
    migrate(db, KEYSTONE_MIGRATIONS);
    this.dataVersion = db.prepare("PRAGMA data_version").pluck();
    this.totalChanges = db.prepare("SELECT total_changes()").pluck();
    cacheStatements(db);
    const hash: HashSettings = { algorithm: opts.hash?.algorithm ?? "bcrypt", rounds: opts.hash?.rounds ?? 0 };
    this.resource = new ResourceBackend(db);
    this.identity = new IdentityBackend(db, hash);
    this.assignment = new AssignmentBackend(db, () => this.generation());
    this.effective = new EffectiveRoles(this.identity, this.resource, this.assignment, () => this.generation());
    this.catalog = new CatalogBackend(db, () => this.generation());
    this.credential = new CredentialBackend(db);
    this.appCredential = new AppCredentialBackend(db, hash);
    this.revoke = new RevocationBackend(db, opts.tokenLifetimeMs ?? 24 * 3600_000);
  }

  private readonly dataVersion;
  private readonly totalChanges;

  /**
   * Changes whenever the database does: rows this connection changed (total_changes) or a commit by
   * another connection (data_version), e.g. `os manage keystone bootstrap` while keystone runs.
   * Memoized lookups on the validate path are keyed by it, so they are never stale.
   */
  generation(): string {
    return `${this.totalChanges.get()}:${this.dataVersion.get()}`;
  }

  static open(file: string, opts: StoreOptions = {}): KeystoneStore {
    return new KeystoneStore(openDatabase(file, opts.pragmas), opts);
  }

  close(): void {
    this.db.close();
  }
}

/**
 * One compiled statement per SQL text: the backends call db.prepare() on every lookup, and on the
 * token path compiling the SQL cost more than running it. Sharing is safe because better-sqlite3's
 * get/all/run finish before returning and nothing here iterates a statement or switches its mode
 * (pluck/raw) after preparing it (the two plucked ones above are prepared before the cache exists).
 */
function cacheStatements(db: Db): void {
  const prepare = db.prepare.bind(db);
  const cache = new Map<string, Statement>();
  db.prepare = ((sql: string) => {
    let stmt = cache.get(sql);
    if (!stmt) {
      stmt = prepare(sql);
      // Filtered list queries build their SQL; bound the cache rather than keep every variant.
      if (cache.size < 1000) cache.set(sql, stmt);
    }
    return stmt;
  }) as Db["prepare"];
}
