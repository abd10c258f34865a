import { describe, expect, it } from "vitest";
import { checkPassword, checkPasswordAsync, hashPassword } from "../../src/engine/identity/password.js";

describe("password hashes in passlib formats", () => {
  it("bcrypt ($2b$), checked back, wrong password refused", () => {
    const h = hashPassword("s3cret", "bcrypt", 4);
    expect(h).toMatch(/^\$2[ab]\$04\$/);
    expect(checkPassword("s3cret", h)).toBe(true);
    expect(checkPassword("s3cret!", h)).toBe(false);
  });

  it("scrypt ($scrypt$ln=…,r=8,p=1$salt$hash)", () => {
    const h = hashPassword("s3cret", "scrypt", 10);
    expect(h).toMatch(/^\$scrypt\$ln=10,r=8,p=1\$[A-Za-z0-9./]+\$[A-Za-z0-9./]+$/);
    expect(checkPassword("s3cret", h)).toBe(true);
    expect(checkPassword("other", h)).toBe(false);
  });

  it("pbkdf2_sha512 ($pbkdf2-sha512$rounds$salt$hash)", () => {
    const h = hashPassword("s3cret", "pbkdf2_sha512", 1000);
    expect(h).toMatch(/^\$pbkdf2-sha512\$1000\$[A-Za-z0-9./]+\$[A-Za-z0-9./]+$/);
    expect(checkPassword("s3cret", h)).toBe(true);
    expect(checkPassword("other", h)).toBe(false);
  });

  it("reads hashes made by another implementation (Python hashlib, passlib's string layout)", () => {
    // hashlib.pbkdf2_hmac / hashlib.scrypt over b"password" with salt b"saltsaltsaltsalt", ab64-encoded
    const pbkdf2 =
      "$pbkdf2-sha512$1000$c2FsdHNhbHRzYWx0c2FsdA$715rqIr5dXOVPpBhqqsugl037zT5bWJTWYmZtIcK8hBnisKpwfY7kokvwjDrNHqHhF50Pb7MD6HvkJwiDQw4ww";
    const scrypt = "$scrypt$ln=10,r=8,p=1$c2FsdHNhbHRzYWx0c2FsdA$BVMRKqdiVYikKAaPR1wucsKUKvw4TuPLkdEYtoSHas4";
    expect(checkPassword("password", pbkdf2)).toBe(true);
    expect(checkPassword("passw0rd", pbkdf2)).toBe(false);
    expect(checkPassword("password", scrypt)).toBe(true);
    expect(checkPassword("passw0rd", scrypt)).toBe(false);
  });

  it("an unknown format never matches", () => {
    expect(checkPassword("x", "plain-x")).toBe(false);
    expect(checkPassword("x", "")).toBe(false);
  });

  it("the async check (what the API uses) agrees with the blocking one for every format", async () => {
    for (const [alg, rounds] of [
      ["bcrypt", 4],
      ["scrypt", 10],
      ["pbkdf2_sha512", 1000],
    ] as const) {
      const h = hashPassword("s3cret", alg, rounds);
      expect(await checkPasswordAsync("s3cret", h), alg).toBe(true);
      expect(await checkPasswordAsync("s3cret!", h), alg).toBe(false);
    }
    expect(await checkPasswordAsync("x", "plain-x")).toBe(false);
  });

  it("a bcrypt check at the default cost leaves the event loop free for other requests", async () => {
    const h = hashPassword("s3cret", "bcrypt", 12);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const t0 = performance.now();
    expect(await checkPasswordAsync("s3cret", h)).toBe(true);
    const ms = performance.now() - t0;
    clearInterval(timer);
    // A check on the event loop would let the 5 ms timer fire once at most; off the loop it fires all along.
    expect(ticks).toBeGreaterThan(Math.min(10, ms / 20));
  });
});
