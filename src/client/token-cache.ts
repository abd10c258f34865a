import { createHash } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/** A token and the body Keystone returned with it (catalog, roles, scope). */
export interface CachedToken {
  token: string;
  expires_at: string;
  body: unknown;
}

/** Reuse a token until this close to its expiry (keystoneauth treats a token as stale 30 s early). */
export const STALE_MS = 30_000;

/**
 * Tokens per (auth url, user, scope, secret) in one 0600 JSON file, like the openstack client's keyring
 * cache: a second `os` command within the token's life skips the POST /v3/auth/tokens round trip.
 * The key is a hash, so neither secrets nor names are written in the clear; only the tokens are.
 */
export class TokenCache {
  constructor(
    readonly file: string,
    private readonly now: () => number = Date.now,
  ) {}

  static key(parts: Record<string, unknown>): string {
    const canonical = JSON.stringify(
      Object.keys(parts)
        .sort()
        .map((k) => [k, parts[k] ?? null]),
    );
    return createHash("sha256").update(canonical).digest("hex");
  }

  get(key: string): CachedToken | undefined {
    const entry = this.read()[key];
    if (!entry) return undefined;
    if (Date.parse(entry.expires_at) - STALE_MS <= this.now()) return undefined;
    return entry;
  }

  put(key: string, entry: CachedToken): void {
    const all = this.read();
    all[key] = entry;
    // Drop what has expired, so the file does not grow forever.
    for (const [k, v] of Object.entries(all)) if (Date.parse(v.expires_at) <= this.now()) delete all[k];
    this.write(all);
  }

  delete(key: string): void {
    const all = this.read();
    if (!(key in all)) return;
    delete all[key];
    this.write(all);
  }

  private read(): Record<string, CachedToken> {
    try {
      const doc = JSON.parse(readFileSync(this.file, "utf8"));
      return doc && typeof doc === "object" ? doc : {};
    } catch {
      return {}; // missing or corrupt: start afresh
    }
  }

  private write(all: Record<string, CachedToken>): void {
    try {
      mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
      const tmp = `${this.file}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(all), { mode: 0o600 });
      chmodSync(tmp, 0o600);
      renameSync(tmp, this.file); // atomic: parallel commands never read half a file
    } catch {
      // A cache that cannot be written only costs a re-authentication next time.
    }
  }
}
