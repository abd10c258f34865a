// The Fernet token provider as Keystone's API uses it: issue, validate, rotate, reject.
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createTokenProvider,
  KeysNotFound,
  newAuditId,
  rotateKeys,
  setupKeyRepository,
  TokenInvalid,
  type TokenPayload,
} from "../../../src/engine/identity/token/index.js";

let root: string;
let dir: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "fernet-provider-"));
  dir = join(root, "fernet-keys");
  setupKeyRepository(dir);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const U = "9fe1d3c6d4b14b6c8f1e2c1a0b9d8e7f";
const P = "3c2b1a09f8e7d6c5b4a3928170615243";
const inAnHour = () => new Date(Math.floor(Date.now() / 1000) * 1000 + 3600_000);

function payload(extra: Partial<Omit<TokenPayload, "issued_at">> = {}): Omit<TokenPayload, "issued_at"> {
  return { user_id: U, methods: ["password"], expires_at: inAnHour(), audit_ids: [newAuditId()], ...extra };
}

async function expectInvalid(promise: Promise<unknown>, reason?: string) {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TokenInvalid);
  if (reason) expect((err as TokenInvalid).reason).toBe(reason);
}

/** Change one character in the middle of a token to a different base64url character. */
function tamper(token: string, at = Math.floor(token.length / 2)): string {
  const c = token[at] === "A" ? "B" : "A";
  return token.slice(0, at) + c + token.slice(at + 1);
}

describe("Fernet token provider", () => {
  // Methods come back in Keystone's order (highest bit first), so ["password", "token"] returns as ["token", "password"].
  const scopes: [string, Partial<Omit<TokenPayload, "issued_at">>, string[]?][] = [
    ["unscoped", {}],
    ["project-scoped", { project_id: P }],
    ["domain-scoped", { domain_id: "default" }],
    ["system-scoped", { system: "all", methods: ["password", "token"] }, ["token", "password"]],
    ["application credential", { project_id: P, app_cred_id: "0123456789abcdef0123456789abcdef", methods: ["application_credential"] }],
    ["non-uuid user (e.g. LDAP)", { user_id: "cn=alice,ou=people", project_id: "demo" }],
  ];
  for (const [name, extra, methodsBack] of scopes) {
    it(`round-trips a ${name} token`, async () => {
      const provider = createTokenProvider("fernet", dir);
      const p = payload(extra);
      const before = Math.floor(Date.now() / 1000) * 1000;
      const { token, issued_at } = await provider.issue(p);
      expect(token).toMatch(/^gAAAAA[A-Za-z0-9_-]+$/); // version 0x80, url-safe, no '=' padding
      expect(token.length).toBeLessThan(255);
      expect(issued_at.getTime()).toBeGreaterThanOrEqual(before);
      expect(issued_at.getTime()).toBeLessThanOrEqual(Date.now());
      const got = await provider.validate(token);
      expect(got).toEqual({ ...p, methods: methodsBack ?? p.methods, issued_at });
    });
  }

  it("validates a token that Python's Fernet + msgpack packed in Keystone's layout", async () => {
    const keyDir = join(root, "python-keys");
    setupKeyRepository(keyDir);
    writeFileSync(join(keyDir, "1"), "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=", { mode: 0o600 });
    const token =
      "gAAAAABndHdwPaoRywbSIGj0ipXaEOgRvtFNRTjWGUubHYPkZ2dRfXAXvn65snPiz3NiLTr6znzKbdxE8XiX8T8FZtngieF83Hg_Dy2ztAUbY7PzZpQDINh5PeRX8GbFmgav8Nhm1yukafAb5dDkT-bSeG_BUWc3V67yyVz3iKv_Z5cD7bnHalJNUOH3AFJmRfOozhmCS1us";
    expect(await createTokenProvider("fernet", keyDir).validate(token)).toEqual({
      user_id: U,
      methods: ["password"],
      project_id: P,
      expires_at: new Date("2100-01-01T00:00:00Z"),
      audit_ids: ["AAECAwQFBgcICQoLDA0ODw", "8PHy8_T19vf4-fr7_P3-_w"],
      issued_at: new Date(1735686000 * 1000),
    });
  });

  it("rejects tampered, garbage, foreign and expired tokens with TokenInvalid", async () => {
    const provider = createTokenProvider("fernet", dir);
    const { token } = await provider.issue(payload({ project_id: P }));
    for (let at = 1; at < token.length - 1; at += 17) await expectInvalid(provider.validate(tamper(token, at)));
    await expectInvalid(provider.validate(tamper(token, 60)), "signature");
    await expectInvalid(provider.validate(token.slice(0, -4)));
    await expectInvalid(provider.validate(""));
    await expectInvalid(provider.validate("not a token"), "malformed");
    await expectInvalid(provider.validate("%%%%%%%%"), "malformed");
    await expectInvalid(provider.validate("A".repeat(100_000)), "malformed");
    await expectInvalid(provider.validate(Buffer.alloc(120, 1).toString("base64url")), "malformed");
    await expectInvalid(provider.validate("eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln"));

    const otherDir = join(root, "other");
    setupKeyRepository(otherDir);
    const foreign = await createTokenProvider("fernet", otherDir).issue(payload());
    await expectInvalid(provider.validate(foreign.token), "signature");

    const expired = await provider.issue(payload({ expires_at: new Date(Date.now() - 1000) }));
    await expectInvalid(provider.validate(expired.token), "expired");
  });

  it("keeps validating a token across rotations until its key is pruned", async () => {
    const provider = createTokenProvider("fernet", dir);
    const { token } = await provider.issue(payload()); // encrypted with key 1
    rotateKeys(dir, 3); // keys 0 1 2: key 1 is now a secondary
    expect((await provider.validate(token)).user_id).toBe(U);
    const newer = await provider.issue(payload()); // encrypted with the new primary, 2
    rotateKeys(dir, 3); // keys 0 2 3: key 1 pruned
    await expectInvalid(provider.validate(token), "signature");
    expect((await provider.validate(newer.token)).user_id).toBe(U);
  });

  it("validates tokens made with its staged key (another node that already rotated)", async () => {
    const otherNode = join(root, "other-node");
    cpSync(dir, otherNode, { recursive: true });
    rotateKeys(otherNode, 3); // its primary is our staged key 0
    const { token } = await createTokenProvider("fernet", otherNode).issue(payload());
    expect((await createTokenProvider("fernet", dir).validate(token)).user_id).toBe(U);
  });

  it("notices a rotation done by another process (keystone-manage fernet_rotate)", async () => {
    const provider = createTokenProvider("fernet", dir);
    const { token } = await provider.issue(payload());
    await provider.validate(token); // keys are cached now
    const keysModule = resolve("src/engine/identity/token/keys.ts");
    const script = `import { rotateKeys } from ${JSON.stringify(keysModule)}; rotateKeys(${JSON.stringify(dir)}, 2);`;
    execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { timeout: 20_000 });
    // with max_active_keys=2 the rotation left keys 0 and 2: key 1 (which signed the token) is gone
    await expectInvalid(provider.validate(token), "signature");
  });

  it("reports a missing key repository as KeysNotFound, not as a bad token", async () => {
    const provider = createTokenProvider("fernet", join(root, "nowhere"));
    await expect(provider.issue(payload())).rejects.toThrow(KeysNotFound);
    await expect(provider.validate("gAAAAA")).rejects.toThrow(/fernet_setup/);
  });

  it("refuses to issue a token for a payload it cannot carry", async () => {
    const provider = createTokenProvider("fernet", dir);
    await expect(provider.issue(payload({ methods: ["kerberos"] }))).rejects.toThrow(/unknown auth method/);
    await expect(provider.issue(payload({ project_id: P, system: "all" }))).rejects.toThrow(/at most one/);
  });

  it("makes 22-character url-safe audit ids", () => {
    const ids = new Set(Array.from({ length: 50 }, newAuditId));
    expect(ids.size).toBe(50);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });
});
