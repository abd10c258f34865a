import { pbkdf2Sync, randomBytes, scryptSync, timingSafeEqual } from "node:crypto";
import bcrypt from "bcryptjs";

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
      return bcrypt.hashSync(Buffer.from(password, "utf8").subarray(0, BCRYPT_MAX).toString("utf8"), Math.min(Math.max(r, 4), 31));
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
  const N = 2 ** ln;
  return scryptSync(password, salt, 32, { N, r, p, maxmem: 256 * N * r + 1024 * 1024 });
}

/** True when `password` matches the stored hash; an unknown format never matches. */
export function checkPassword(password: string, stored: string): boolean {
  if (/^\$2[aby]\$/.test(stored)) {
    return bcrypt.compareSync(Buffer.from(password, "utf8").subarray(0, BCRYPT_MAX).toString("utf8"), stored);
  }
  const scryptMatch = /^\$scrypt\$ln=(\d+),r=(\d+),p=(\d+)\$([^$]+)\$([^$]+)$/.exec(stored);
  if (scryptMatch) {
    const [, ln, r, p, salt, hash] = scryptMatch as unknown as [string, string, string, string, string, string];
    const expected = unab64(hash);
    const got = scryptSync(password, unab64(salt), expected.length, {
      N: 2 ** Number(ln),
      r: Number(r),
      p: Number(p),
      maxmem: 256 * 2 ** Number(ln) * Number(r) + 1024 * 1024,
    });
    return timingSafeEqual(got, expected);
  }
  const pbkdf2Match = /^\$pbkdf2-sha512\$(\d+)\$([^$]+)\$([^$]+)$/.exec(stored);
  if (pbkdf2Match) {
    const [, rounds, salt, hash] = pbkdf2Match as unknown as [string, string, string, string];
    const expected = unab64(hash);
    const got = pbkdf2Sync(password, unab64(salt), Number(rounds), expected.length, "sha512");
    return timingSafeEqual(got, expected);
  }
  return false;
}
