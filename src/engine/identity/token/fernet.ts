// The Fernet token format (version 0x80 of the open Fernet spec), written against node:crypto:
//   Version(1) ‖ Timestamp(8, big-endian seconds) ‖ IV(16) ‖ AES-128-CBC ciphertext (PKCS7) ‖ HMAC-SHA256(32)
// The HMAC covers everything before it. A key is the base64url of 32 bytes: signing key ‖ encryption key.
import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from "node:crypto";

const VERSION = 0x80;
const HEADER_LENGTH = 1 + 8 + 16;
const HMAC_LENGTH = 32;
const BLOCK = 16;
/** A token stamped further than this in the future is refused when a TTL is checked (as python-cryptography does). */
const MAX_CLOCK_SKEW_SECONDS = 60;
const BASE64URL = /^[A-Za-z0-9_-]*={0,2}$/;

export class FernetInvalid extends Error {
  /** "signature" when no key authenticates the token, "ttl" for age checks, else "format". */
  readonly kind: "format" | "signature" | "ttl";
  constructor(message: string, kind: "format" | "signature" | "ttl" = "format") {
    super(message);
    this.name = "FernetInvalid";
    this.kind = kind;
  }
}

export interface FernetKey {
  signing: Buffer;
  encryption: Buffer;
}

/** Decode a key file's text (base64url of 32 bytes, padded or not). */
export function decodeFernetKey(text: string): FernetKey {
  const trimmed = text.trim();
  const raw = decodeBase64Url(restorePadding(trimmed));
  if (raw?.length !== 32) {
    throw new TypeError("a Fernet key must be 32 bytes encoded as url-safe base64");
  }
  return { signing: raw.subarray(0, 16), encryption: raw.subarray(16, 32) };
}

/** A new random key in the text form keystone-manage writes (44 characters, '=' padded). */
export function generateFernetKey(): string {
  return randomBytes(32).toString("base64").replace(/\+/g, "-").replace(/\//g, "_");
}

export interface EncryptOptions {
  /** Seconds since the epoch to stamp the token with; defaults to now. */
  now?: number;
  /** Fixed IV, only for reproducing test vectors. */
  iv?: Buffer;
}

/** Encrypt and sign; returns the raw token bytes (encode with toToken / base64url yourself). */
export function fernetEncryptBytes(key: FernetKey, plaintext: Uint8Array, options: EncryptOptions = {}): Buffer {
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const iv = options.iv ?? randomBytes(16);
  if (iv.length !== 16) throw new TypeError("the IV must be 16 bytes");
  const cipher = createCipheriv("aes-128-cbc", key.encryption, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  const out = Buffer.allocUnsafe(HEADER_LENGTH + ciphertext.length + HMAC_LENGTH);
  out[0] = VERSION;
  out.writeBigUInt64BE(BigInt(Math.floor(now)), 1);
  iv.copy(out, 9);
  ciphertext.copy(out, HEADER_LENGTH);
  const signedLength = HEADER_LENGTH + ciphertext.length;
  createHmac("sha256", key.signing).update(out.subarray(0, signedLength)).digest().copy(out, signedLength);
  return out;
}

/** Spec form of a token: base64url with '=' padding. */
export function fernetEncrypt(key: FernetKey, plaintext: Uint8Array, options: EncryptOptions = {}): string {
  return restorePadding(fernetEncryptBytes(key, plaintext, options).toString("base64url"));
}

export interface DecryptOptions {
  /** If set, tokens older than this many seconds are refused (and far-future ones too). */
  ttlSeconds?: number;
  /** Seconds since the epoch to judge the TTL against; defaults to now. */
  now?: number;
}

export interface Decrypted {
  plaintext: Buffer;
  /** Seconds since the epoch, from the token's timestamp field. */
  timestamp: number;
}

/**
 * Verify and decrypt with the first key that authenticates the token (like MultiFernet). Accepts the
 * token with or without its base64 '=' padding, since Keystone hands tokens out without it.
 */
export function fernetDecrypt(keys: readonly FernetKey[], token: string, options: DecryptOptions = {}): Decrypted {
  const data = decodeBase64Url(restorePadding(token));
  if (!data) throw new FernetInvalid("token is not url-safe base64");
  if (data.length < HEADER_LENGTH + HMAC_LENGTH) throw new FernetInvalid("token is too short");
  if (data[0] !== VERSION) throw new FernetInvalid(`unknown Fernet version 0x${data[0].toString(16)}`);
  const timestamp = Number(data.readBigUInt64BE(1));
  if (options.ttlSeconds !== undefined) {
    const now = options.now ?? Math.floor(Date.now() / 1000);
    if (timestamp + options.ttlSeconds < now) throw new FernetInvalid("token has expired (TTL)", "ttl");
    if (now + MAX_CLOCK_SKEW_SECONDS < timestamp) throw new FernetInvalid("token timestamp is in the future", "ttl");
  }
  const signedLength = data.length - HMAC_LENGTH;
  const ciphertextLength = signedLength - HEADER_LENGTH;
  if (ciphertextLength === 0 || ciphertextLength % BLOCK !== 0) throw new FernetInvalid("ciphertext is not a whole number of blocks");
  const signed = data.subarray(0, signedLength);
  const mac = data.subarray(signedLength);
  for (const key of keys) {
    const expected = createHmac("sha256", key.signing).update(signed).digest();
    if (!timingSafeEqual(expected, mac)) continue;
    try {
      const decipher = createDecipheriv("aes-128-cbc", key.encryption, data.subarray(9, HEADER_LENGTH));
      const plaintext = Buffer.concat([decipher.update(data.subarray(HEADER_LENGTH, signedLength)), decipher.final()]);
      return { plaintext, timestamp };
    } catch {
      throw new FernetInvalid("bad padding in decrypted payload");
    }
  }
  throw new FernetInvalid(keys.length === 0 ? "no keys to verify with" : "signature does not match any key", "signature");
}

/** Put back the '=' padding Keystone strips from the tokens it issues. */
export function restorePadding(token: string): string {
  const missing = token.length % 4;
  return missing ? token + "=".repeat(4 - missing) : token;
}

export function stripPadding(token: string): string {
  return token.replace(/=+$/, "");
}

/** Strict base64url decoding: Node's own decoder skips bad characters silently, which a token check must not. */
function decodeBase64Url(text: string): Buffer | undefined {
  if (text.length % 4 !== 0 || !BASE64URL.test(text)) return undefined;
  return Buffer.from(text, "base64url");
}
