import { pbkdf2, pbkdf2Sync, randomBytes, scrypt as scryptCb, scryptSync, timingSafeEqual } from "node:crypto";
import { promisify } from "node:util";
import bcrypt from "bcryptjs";
import { bcryptCompareOffThread } from "./bcrypt-worker.js";

/**
 * Password hashes in passlib's string formats (what Keystone stores): `$2b$12$…` (bcrypt),
 * `$scrypt$ln=16,r=8,p=1$salt$hash`, `$pbkdf2-sha512$25000$salt$hash`. The format of a stored hash
 * decides how it is checked, so changing the algorithm later keeps old passwords working.
 */
export type HashAlgorithm = "bcrypt" | "scrypt" | "pbkdf2_sha512";

const DEFAULT_ROUNDS: Record<HashAlgorithm, number> = { bcrypt: 12, scrypt: 16, pbkdf2_sha512: 25000 };
// bcrypt only looks at 72 bytes; Keystone truncates passwords to that length before hashing.
const BCRYPT_MAX = 72;

// passlib's "adapted base64": standard alphabet with '.' for '+', no padding.
const ab64 = (b: Buffer) => b.toString("base64").replace(/=+$/, "").replace(/\+/g, ".");
const unab64 = (s: string) => Buffer.from(s.replace(/\./g, "+"), "base64");

export function hashPassword(password: string, algorithm: HashAlgorithm = "bcrypt", rounds = 0): string {
  const r = rounds > 0 ? rounds : DEFAULT_ROUNDS[algorithm];
  switch (algorithm) {
    case "bcrypt":
      return bcrypt.hashSync(bcryptInput(password), Math.min(Math.max(r, 4), 31));
    case "scrypt": {
      const ln = Math.min(Math.max(r, 1), 20);
      const salt = randomBytes(16);
      const hash = scrypt(password, salt, ln, 8, 1);
      return `$scrypt$ln=${ln},r=8,p=1$${ab64(salt)}$${ab64(hash)}`;
    }
    case "pbkdf2_sha512": {
      const salt = randomBytes(16);
      return `$pbkdf2-sha512$${r}$${ab64(salt)}$${ab64(pbkdf2Sync(password, salt, r, 64, "sha512"))}`;
    }
  }
}

function scrypt(password: string, salt: Buffer, ln: number, r: number, p: number): Buffer {
  return scryptSync(password, salt, 32, scryptParams({ N: 2 ** ln, r, p }));
}

/** A stored hash, parsed: what to compute from the candidate password, and what it must equal. */
type Stored =
  | { kind: "bcrypt"; hash: string }
  | { kind: "scrypt"; salt: Buffer; expected: Buffer; N: number; r: number; p: number }
  | { kind: "pbkdf2"; salt: Buffer; expected: Buffer; rounds: number }
  | { kind: "unknown" };

function parseStored(stored: string): Stored {
  if (/^\$2[aby]\$/.test(stored)) return { kind: "bcrypt", hash: stored };
  const s = /^\$scrypt\$ln=(\d+),r=(\d+),p=(\d+)\$([^$]+)\$([^$]+)$/.exec(stored);
  if (s)
    return {
      kind: "scrypt",
      N: 2 ** Number(s[1]),
      r: Number(s[2]),
      p: Number(s[3]),
      salt: unab64(s[4] as string),
      expected: unab64(s[5] as string),
    };
  const k = /^\$pbkdf2-sha512\$(\d+)\$([^$]+)\$([^$]+)$/.exec(stored);
  if (k) return { kind: "pbkdf2", rounds: Number(k[1]), salt: unab64(k[2] as string), expected: unab64(k[3] as string) };
  return { kind: "unknown" };
}

const bcryptInput = (password: string) => Buffer.from(password, "utf8").subarray(0, BCRYPT_MAX).toString("utf8");
// scrypt needs 128·N·r bytes; Node refuses past `maxmem` (32 MiB by default, less than ln=16 takes).
const scryptParams = (h: { N: number; r: number; p: number }) => ({ N: h.N, r: h.r, p: h.p, maxmem: 256 * h.N * h.r + 1024 * 1024 });

/** True when `password` matches the stored hash; an unknown format never matches. Blocking (for tools such as bootstrap). */
export function checkPassword(password: string, stored: string): boolean {
  const h = parseStored(stored);
  switch (h.kind) {
    case "bcrypt":
      return bcrypt.compareSync(bcryptInput(password), h.hash);
    case "scrypt":
      return timingSafeEqual(scryptSync(password, h.salt, h.expected.length, scryptParams(h)), h.expected);
    case "pbkdf2":
      return timingSafeEqual(pbkdf2Sync(password, h.salt, h.rounds, h.expected.length, "sha512"), h.expected);
    default:
      return false;
  }
}

const scryptAsync = promisify(scryptCb) as (p: string, s: Buffer, len: number, o: object) => Promise<Buffer>;
const pbkdf2Async = promisify(pbkdf2);

/**
 * checkPassword without blocking the event loop: a bcrypt check at cost 12 is ~0.3 s of CPU in JavaScript,
 * and Keystone must go on validating tokens meanwhile. bcrypt runs on a worker thread; scrypt and pbkdf2
 * on libuv's thread pool.
 */
export async function checkPasswordAsync(password: string, stored: string): Promise<boolean> {
  const h = parseStored(stored);
  switch (h.kind) {
    case "bcrypt":
      return bcryptCompareOffThread(bcryptInput(password), h.hash);
    case "scrypt":
      return timingSafeEqual(await scryptAsync(password, h.salt, h.expected.length, scryptParams(h)), h.expected);
    case "pbkdf2":
      return timingSafeEqual(await pbkdf2Async(password, h.salt, h.rounds, h.expected.length, "sha512"), h.expected);
    default:
      return false;
  }
}
