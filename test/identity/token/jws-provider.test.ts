// The JWS token provider: ES256 compact JWS with Keystone's claim names.
import { copyFileSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createJwsKeyPair,
  createTokenProvider,
  jwsPaths,
  KeysNotFound,
  newAuditId,
  TokenInvalid,
  type TokenPayload,
} from "../../../src/engine/identity/token/index.js";

let root: string;
let dir: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "jws-provider-"));
  dir = join(root, "jws-keys");
  createJwsKeyPair(dir);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const U = "9fe1d3c6d4b14b6c8f1e2c1a0b9d8e7f";
const P = "3c2b1a09f8e7d6c5b4a3928170615243";
const inAnHour = () => new Date(Math.floor(Date.now() / 1000) * 1000 + 3600_000);
const payload = (extra: Partial<Omit<TokenPayload, "issued_at">> = {}): Omit<TokenPayload, "issued_at"> => ({
  user_id: U,
  methods: ["password"],
  expires_at: inAnHour(),
  audit_ids: [newAuditId()],
  ...extra,
});
const part = (token: string, i: number) => JSON.parse(Buffer.from(token.split(".")[i], "base64url").toString());

async function expectInvalid(promise: Promise<unknown>) {
  await expect(promise).rejects.toBeInstanceOf(TokenInvalid);
}

describe("JWS token provider", () => {
  it("keeps the private key 0600 and refuses to overwrite an existing pair", () => {
    const paths = jwsPaths(dir);
    expect(statSync(paths.privateKey).mode & 0o777).toBe(0o600);
    expect(statSync(paths.privateDir).mode & 0o777).toBe(0o700);
    expect(statSync(paths.publicKey).isFile()).toBe(true);
    expect(createJwsKeyPair(dir)).toBe(false);
  });

  it("issues an ES256 compact JWS carrying Keystone's claims", async () => {
    const p = payload({ project_id: P, methods: ["password", "token"] });
    const { token, issued_at } = await createTokenProvider("jws", dir).issue(p);
    expect(token.split(".")).toHaveLength(3);
    expect(part(token, 0)).toEqual({ alg: "ES256", typ: "JWT" });
    expect(part(token, 1)).toEqual({
      sub: U,
      iat: issued_at.getTime() / 1000,
      exp: p.expires_at.getTime() / 1000,
      openstack_methods: ["password", "token"],
      openstack_audit_ids: p.audit_ids,
      openstack_project_id: P,
    });
  });

  const scopes: [string, Partial<Omit<TokenPayload, "issued_at">>][] = [
    ["unscoped", {}],
    ["project-scoped", { project_id: P }],
    ["domain-scoped", { domain_id: "default" }],
    ["system-scoped", { system: "all" }],
    ["application credential", { project_id: P, app_cred_id: "0123456789abcdef0123456789abcdef", methods: ["application_credential"] }],
    ["non-uuid user", { user_id: "alice@example.org" }],
  ];
  for (const [name, extra] of scopes) {
    it(`round-trips a ${name} token`, async () => {
      const provider = createTokenProvider("jws", dir);
      const p = payload(extra);
      const { token, issued_at } = await provider.issue(p);
      expect(await provider.validate(token)).toEqual({ ...p, issued_at });
    });
  }

  it("rejects tampered, re-signed, unsigned, expired and garbage tokens", async () => {
    const provider = createTokenProvider("jws", dir);
    const { token } = await provider.issue(payload({ project_id: P }));
    const [h, body, sig] = token.split(".");

    const forged = Buffer.from(JSON.stringify({ ...part(token, 1), openstack_project_id: "someone-else" })).toString("base64url");
    await expectInvalid(provider.validate(`${h}.${forged}.${sig}`));
    await expectInvalid(provider.validate(`${h}.${body}.${sig.slice(0, -2)}${sig.endsWith("AA") ? "BB" : "AA"}`));

    const none = Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url");
    await expectInvalid(provider.validate(`${none}.${body}.`));

    const otherDir = join(root, "other");
    createJwsKeyPair(otherDir);
    const foreign = await createTokenProvider("jws", otherDir).issue(payload());
    await expectInvalid(provider.validate(foreign.token));

    const expired = await provider.issue(payload({ expires_at: new Date(Date.now() - 2000) }));
    await expectInvalid(provider.validate(expired.token));

    for (const junk of ["", "abc", "a.b.c", "gAAAAABndHdwPaoRywbSIGj0ipXaEOgRvtFNRTjWGUubHYPkZ2dRfXAX"]) {
      await expectInvalid(provider.validate(junk));
    }
  });

  it("validates with any public key in the public directory (key pair rotation)", async () => {
    const oldProvider = createTokenProvider("jws", dir);
    const { token } = await oldProvider.issue(payload());
    // a new pair replaces the signing key; the old public key stays beside it
    copyFileSync(jwsPaths(dir).publicKey, join(jwsPaths(dir).publicDir, "old.pem"));
    createJwsKeyPair(dir, true);
    const provider = createTokenProvider("jws", dir);
    expect((await provider.validate(token)).user_id).toBe(U);
    const fresh = await provider.issue(payload());
    expect((await oldProvider.validate(fresh.token)).user_id).toBe(U); // the running provider picked up the new pair
    rmSync(join(jwsPaths(dir).publicDir, "old.pem"));
    await expectInvalid(provider.validate(token));
  });

  it("reports missing keys as KeysNotFound", async () => {
    await expect(createTokenProvider("jws", join(root, "none")).issue(payload())).rejects.toThrow(KeysNotFound);
  });
});
