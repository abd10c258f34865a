import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import Database from "better-sqlite3";

/** What a valid console token unlocks (nova.objects.ConsoleAuthToken). */
export interface ConsoleAuth {
  instance_uuid: string;
  console_type: string;
  host: string;
  port: number;
  internal_access_path: string | null;
}

export interface ConsoleTokenStore {
  /** The console behind this token, or null when it is unknown or expired. */
  validate(token: string): ConsoleAuth | null;
  close(): void;
}

/** Nova keeps only the SHA-256 of a token (console_auth_tokens.token_hash), never the token itself. */
export const tokenHash = (token: string) => createHash("sha256").update(token).digest("hex");

/**
 * Tokens as nova-api stores them: rows of the cell database's console_auth_tokens table
 * (token_hash, console_type, host, port, internal_access_path, instance_uuid, expires = epoch seconds).
 * The proxy opens that file read-only, as Nova's novncproxy reads ConsoleAuthToken from the cell DB.
 */
export class CellDbTokenStore implements ConsoleTokenStore {
  private db?: Database.Database;

  constructor(readonly file: string) {}

  private open(): Database.Database | undefined {
    if (!this.db && existsSync(this.file)) this.db = new Database(this.file, { readonly: true, fileMustExist: true });
    return this.db;
  }

  validate(token: string): ConsoleAuth | null {
    if (!token || token.length > 256) return null;
    const db = this.open();
    if (!db) return null;
    const row = db
      .prepare(
        "SELECT instance_uuid, console_type, host, port, internal_access_path FROM console_auth_tokens WHERE token_hash = ? AND expires > ?",
      )
      .get(tokenHash(token), Math.floor(Date.now() / 1000)) as ConsoleAuth | undefined;
    return row ?? null;
  }

  close(): void {
    this.db?.close();
    this.db = undefined;
  }
}
