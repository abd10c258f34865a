// The Fernet key repository behaves like keystone-manage fernet_setup / fernet_rotate.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { decodeFernetKey } from "../../../src/engine/identity/token/fernet.js";
import { loadKeys, rotateKeys, setupKeyRepository } from "../../../src/engine/identity/token/keys.js";

let root: string;
let dir: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "fernet-keys-"));
  dir = join(root, "fernet-keys");
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const names = () => readdirSync(dir).sort((a, b) => Number(a) - Number(b));
const mode = (p: string) => statSync(p).mode & 0o777;

describe("Fernet key repository", () => {
  it("setup creates staged key 0 and primary key 1, with 0700/0600 permissions", () => {
    expect(setupKeyRepository(dir)).toBe(true);
    expect(names()).toEqual(["0", "1"]);
    expect(mode(dir)).toBe(0o700);
    for (const n of names()) {
      expect(mode(join(dir, n))).toBe(0o600);
      const text = readFileSync(join(dir, n), "utf8");
      expect(text).toMatch(/^[A-Za-z0-9_-]{43}=$/);
      expect(() => decodeFernetKey(text)).not.toThrow();
    }
    expect(readFileSync(join(dir, "0"), "utf8")).not.toBe(readFileSync(join(dir, "1"), "utf8"));
  });

  it("setup on an initialized repository changes nothing", () => {
    setupKeyRepository(dir);
    const before = loadKeys(dir);
    expect(setupKeyRepository(dir)).toBe(false);
    expect(loadKeys(dir)).toEqual(before);
  });

  it("rotate promotes the staged key to the new primary and stages a fresh key", () => {
    setupKeyRepository(dir);
    const staged = readFileSync(join(dir, "0"), "utf8");
    const result = rotateKeys(dir, 3);
    expect(result).toEqual({ primary: 2, removed: [] });
    expect(names()).toEqual(["0", "1", "2"]);
    expect(readFileSync(join(dir, "2"), "utf8")).toBe(staged);
    expect(readFileSync(join(dir, "0"), "utf8")).not.toBe(staged);
    expect(mode(join(dir, "0"))).toBe(0o600);
  });

  it("rotate prunes the oldest secondaries so max_active_keys remain (staged key included)", () => {
    setupKeyRepository(dir);
    rotateKeys(dir, 3); // 0 1 2
    expect(rotateKeys(dir, 3)).toEqual({ primary: 3, removed: [1] });
    expect(names()).toEqual(["0", "2", "3"]);
    expect(rotateKeys(dir, 3)).toEqual({ primary: 4, removed: [2] });
    expect(names()).toEqual(["0", "3", "4"]);
    // raising the limit keeps more; lowering it prunes several at once
    rotateKeys(dir, 5);
    rotateKeys(dir, 5);
    expect(names()).toEqual(["0", "3", "4", "5", "6"]);
    expect(rotateKeys(dir, 2)).toEqual({ primary: 7, removed: [3, 4, 5, 6] });
    expect(names()).toEqual(["0", "7"]);
  });

  it("loadKeys lists the primary first and the staged key last", () => {
    setupKeyRepository(dir);
    rotateKeys(dir, 4);
    rotateKeys(dir, 4);
    expect(loadKeys(dir).map((k) => k.id)).toEqual([3, 2, 1, 0]);
  });

  it("ignores files that are not numbered keys, and empty key files", () => {
    setupKeyRepository(dir);
    for (const [n, text] of [
      ["README", "x"],
      ["7", ""],
      ["0.tmp", "junk"],
    ]) {
      writeFileSync(join(dir, n), text);
    }
    expect(loadKeys(dir).map((k) => k.id)).toEqual([1, 0]);
  });

  it("rotating a repository that was never set up fails with a message saying so", () => {
    expect(() => rotateKeys(dir, 3)).toThrow(/fernet_setup/);
    expect(loadKeys(dir)).toEqual([]);
  });
});
