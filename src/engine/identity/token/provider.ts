// The token provider Keystone's API uses: issue a token for a payload, validate one back into it.
// Two formats, as Keystone's [token] provider option: "fernet" (default) and "jws".
// Keys are read once and cached; the cache is refreshed when the key directory changes (a rotation
// by keystone-manage in another process renames files, which changes the directory's mtime), so a
// validation costs one stat, not a directory read. Directory timestamps tick coarsely (a few ms), so
// the cache is also re-read every few seconds whatever the stamp says.
import { randomBytes } from "node:crypto";
import { statSync } from "node:fs";
import { KeysNotFound, TokenInvalid } from "./errors.js";
import { decodeFernetKey, type FernetKey, FernetInvalid, fernetDecrypt, fernetEncryptBytes } from "./fernet.js";
import { jwsPaths, type JwsKeys, loadJwsKeys, signJws, verifyJws } from "./jws.js";
import { keyRepositoryGeneration, loadKeys } from "./keys.js";
import { packPayload, unpackPayload, type PayloadFields } from "./payload.js";
import type { TokenPayload } from "./types.js";

export { KeysNotFound, TokenInvalid };

export interface TokenProvider {
  issue(p: Omit<TokenPayload, "issued_at">): Promise<{ token: string; issued_at: Date }>;
  /** Throws TokenInvalid for an expired, tampered, unknown-key or garbage token. */
  validate(token: string): Promise<TokenPayload>;
}

export function createTokenProvider(kind: "fernet" | "jws", keyDir: string): TokenProvider {
  if (kind === "fernet") return new FernetTokenProvider(keyDir);
  if (kind === "jws") return new JwsTokenProvider(keyDir);
  throw new TypeError(`unknown token provider '${String(kind)}' (expected fernet or jws)`);
}

/** A new audit id: 16 random bytes as unpadded url-safe base64 (22 characters), like Keystone's. */
export function newAuditId(): string {
  return randomBytes(16).toString("base64url");
}

const MAX_CACHE_AGE_MS = 5000;

/** Far larger than any real token; refuses absurd input before any decoding work. */
const MAX_TOKEN_LENGTH = 8192;

function checkShape(token: unknown): asserts token is string {
  if (typeof token !== "string" || token.length === 0) throw new TokenInvalid("token is empty", "malformed");
  if (token.length > MAX_TOKEN_LENGTH) throw new TokenInvalid("token is too long", "malformed");
}

function checkNotExpired(fields: PayloadFields) {
  if (fields.expires_at.getTime() <= Date.now()) {
    throw new TokenInvalid(`token expired at ${fields.expires_at.toISOString()}`, "expired");
  }
}

/** Whole seconds: both formats carry issued_at at that precision, so issue reports what validate will. */
function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** Identity of a path's current state, to know when cached keys are stale. */
function stamp(path: string): string {
  try {
    const s = statSync(path, { bigint: true });
    return `${s.mtimeNs}:${s.ctimeNs}:${s.ino}`;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return "missing";
    throw err;
  }
}

class FernetTokenProvider implements TokenProvider {
  private cache: { stamp: string; loadedAt: number; keys: FernetKey[] } | undefined;

  constructor(private readonly dir: string) {}

  /** Primary first (encrypts), then secondaries, then the staged key. */
  private keys(): FernetKey[] {
    const current = `${stamp(this.dir)}#${keyRepositoryGeneration()}`;
    const now = Date.now();
    if (this.cache?.stamp !== current || now - this.cache.loadedAt > MAX_CACHE_AGE_MS) {
      const keys = loadKeys(this.dir).map((k) => decodeFernetKey(k.key));
      if (keys.length === 0) {
        throw new KeysNotFound(`no Fernet keys in ${this.dir}; run fernet_setup to create the key repository`);
      }
      this.cache = { stamp: current, loadedAt: now, keys };
    }
    return this.cache.keys;
  }

  async issue(p: Omit<TokenPayload, "issued_at">) {
    const plaintext = packPayload(p);
    const issued = nowSeconds();
    // Keystone hands the token out without base64 '=' padding (it is not URL-safe).
    const token = fernetEncryptBytes(this.keys()[0], plaintext, { now: issued }).toString("base64url");
    return { token, issued_at: new Date(issued * 1000) };
  }

  async validate(token: string): Promise<TokenPayload> {
    checkShape(token);
    let decrypted: ReturnType<typeof fernetDecrypt>;
    try {
      decrypted = fernetDecrypt(this.keys(), token);
    } catch (err) {
      if (err instanceof FernetInvalid) {
        throw new TokenInvalid(`Could not recognize Fernet token: ${err.message}`, err.kind === "signature" ? "signature" : "malformed");
      }
      throw err;
    }
    const fields = unpackPayload(decrypted.plaintext);
    checkNotExpired(fields);
    return { ...fields, issued_at: new Date(decrypted.timestamp * 1000) };
  }
}

class JwsTokenProvider implements TokenProvider {
  private cache: { stamp: string; loadedAt: number; keys: JwsKeys } | undefined;

  constructor(private readonly dir: string) {}

  private keys(): JwsKeys {
    const paths = jwsPaths(this.dir);
    const current = `${stamp(paths.privateKey)}|${stamp(paths.publicDir)}`;
    const now = Date.now();
    if (this.cache?.stamp !== current || now - this.cache.loadedAt > MAX_CACHE_AGE_MS) {
      this.cache = { stamp: current, loadedAt: now, keys: loadJwsKeys(this.dir) };
    }
    return this.cache.keys;
  }

  async issue(p: Omit<TokenPayload, "issued_at">) {
    // Pack as a Fernet payload too, only to reject the same bad input (unknown method, two scopes, bad audit id).
    packPayload(p);
    const issued = nowSeconds();
    const token = await signJws(this.keys(), p, issued);
    return { token, issued_at: new Date(issued * 1000) };
  }

  async validate(token: string): Promise<TokenPayload> {
    checkShape(token);
    const { fields, issuedAtSeconds } = await verifyJws(this.keys(), token);
    checkNotExpired(fields);
    return { ...fields, issued_at: new Date(issuedAtSeconds * 1000) };
  }
}
