// Where a chain breaks, in words: expired, wrong SAN, broken chain, a pathlen:0 CA's child acting as a
// CA, revoked. Each case is also checked with `openssl verify`, which must fail with the same error
// name our problem carries as `code`.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyChain } from "../../src/engine/common/tls/verify-chain.js";
import type { CaStore } from "../../src/engine/common/tls/store.js";
import { CaStore as Store } from "../../src/engine/common/tls/store.js";
import { labCa, openssl, removeTempDirs } from "./helpers.js";

let ca: CaStore;
let other: CaStore;
const pem = (f: string) => readFileSync(f, "utf8");
const check = (name: string, extra: { host?: string; untrusted?: string; purpose?: "server" | "client" } = {}) =>
  verifyChain({
    pem: pem(ca.certFile(name)),
    trustedPem: pem(ca.rootCert),
    untrustedPem: extra.untrusted ?? pem(ca.certFile("intermediate")) + (ca.find("sub") ? pem(ca.certFile("sub")) : ""),
    crlPem: pem(ca.crlFile),
    host: extra.host,
    purpose: extra.purpose,
  });
const opensslVerify = async (args: string[]) => {
  const r = await openssl(["verify", "-CAfile", ca.rootCert, ...args]);
  return { code: r.code, out: r.stdout + r.stderr };
};

describe("verifyChain says where a chain breaks", { timeout: 90_000 }, () => {
  afterAll(removeTempDirs);
  beforeAll(async () => {
    ca = await labCa();
    await ca.issue({ name: "old", kind: "server", sans: ["localhost"], notBefore: new Date("2020-01-01T00:00:00Z"), days: 30 });
    await ca.issue({ name: "sub", kind: "ca" });
    await ca.issue({ name: "leaf", kind: "server", sans: ["localhost"], issuer: "sub" });
    // A second lab CA with the very same names: its certificates look right but are not ours.
    other = new Store(`${ca.dir}-other`);
    await other.init();
    await other.issue({ name: "server", kind: "server", sans: ["localhost", "127.0.0.1"] });
  }, 90_000);

  it("accepts a good server certificate for its host and IP, and shows the chain up to the trusted root", () => {
    const r = check("server", { host: "127.0.0.1" });
    expect(r.problems).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.chain.map((l) => [l.depth, l.subject, l.trusted])).toEqual([
      [0, "CN = server, O = pocketstack", false],
      [1, "CN = pocketstack Intermediate CA, O = pocketstack", false],
      [2, "CN = pocketstack Root CA, O = pocketstack", true],
    ]);
    expect(check("server", { host: "localhost" }).ok).toBe(true);
  });

  it("expired: names the certificate and the date", async () => {
    const r = check("old");
    expect(r.ok).toBe(false);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ depth: 0, code: "certificate has expired" });
    expect(r.problems[0]?.message).toMatch(/^'old' expired on Jan 31 00:00:00 2020 GMT \(\d+ days ago\)/);
    const o = await opensslVerify(["-untrusted", ca.certFile("intermediate"), ca.certFile("old")]);
    expect(o.code).not.toBe(0);
    expect(o.out).toContain("certificate has expired");
  });

  it("wrong SAN: lists what the certificate does cover", async () => {
    const r = check("server", { host: "keystone.example.org" });
    expect(r.problems).toEqual([
      {
        depth: 0,
        code: "hostname mismatch",
        message: "'server' does not cover host 'keystone.example.org': its subjectAltName lists DNS:localhost, IP Address:127.0.0.1",
      },
    ]);
    expect(check("server", { host: "10.0.0.9" }).problems[0]?.code).toBe("IP address mismatch");
    const o = await opensslVerify([
      "-untrusted",
      ca.certFile("intermediate"),
      "-verify_hostname",
      "keystone.example.org",
      ca.certFile("server"),
    ]);
    expect(o.out).toContain("hostname mismatch");
  });

  it("broken chain: a missing intermediate, and a certificate from another CA with the same names", async () => {
    const missing = check("server", { untrusted: "" });
    expect(missing.problems).toHaveLength(1);
    expect(missing.problems[0]).toMatchObject({ depth: 0, code: "unable to get local issuer certificate" });
    expect(missing.problems[0]?.message).toContain(
      "no certificate for 'server''s issuer (CN = pocketstack Intermediate CA, O = pocketstack)",
    );
    expect((await opensslVerify([ca.certFile("server")])).out).toContain("unable to get local issuer certificate");

    // The impostor's chain file carries its own intermediate, which names our root but was not signed by it.
    const impostor = verifyChain({
      pem: pem(other.chainFile("server")),
      trustedPem: pem(ca.rootCert),
      untrustedPem: pem(ca.certFile("intermediate")),
    });
    expect(impostor.ok).toBe(false);
    expect(impostor.problems[0]?.message).toMatch(
      /chain broken at depth 1: 'pocketstack Intermediate CA' names 'pocketstack Root CA' as its issuer, but its signature does not verify with that CA's key \(it was signed by key [0-9A-F]+, the CA here has [0-9A-F]+\): it comes from a different CA with the same name/,
    );
    const o = await opensslVerify(["-untrusted", other.certFile("intermediate"), other.certFile("server")]);
    expect(o.code).not.toBe(0);
  });

  it("pathlen:0: a CA below the intermediate that signs a leaf is refused, naming both", async () => {
    const r = check("leaf", { host: "localhost" });
    expect(r.chain.map((l) => l.subject)).toEqual([
      "CN = leaf, O = pocketstack",
      "CN = sub, O = pocketstack",
      "CN = pocketstack Intermediate CA, O = pocketstack",
      "CN = pocketstack Root CA, O = pocketstack",
    ]);
    expect(r.problems).toEqual([
      {
        depth: 1,
        code: "path length constraint exceeded",
        message:
          "'pocketstack Intermediate CA' has pathlen:0: it may have at most 0 CA certificate(s) below it, but 'sub' below it acts as a CA and signed 'leaf'",
      },
    ]);
    const o = await opensslVerify(["-untrusted", `${ca.certFile("intermediate")}`, "-untrusted", ca.certFile("sub"), ca.certFile("leaf")]);
    expect(o.out).toContain("path length constraint exceeded");
    // The sub-CA itself is a perfectly valid certificate; only its use as a CA breaks the rule.
    expect(check("sub").ok).toBe(true);
  });

  it("revoked: names the CA that revoked it, when and why", () => {
    expect(check("alice", { purpose: "client" }).ok).toBe(true);
    ca.revoke("alice", "keyCompromise");
    const r = check("alice", { purpose: "client" });
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ depth: 0, code: "certificate revoked" });
    expect(r.problems[0]?.message).toMatch(
      /^'alice' \(serial [0-9a-f]+\) was revoked by 'pocketstack Intermediate CA' on .* GMT \(reason: keyCompromise\)$/,
    );
  });

  it("purpose: a client certificate is not a server certificate", () => {
    const r = check("alice", { purpose: "server" });
    expect(r.problems.map((p) => p.code)).toContain("unsupported certificate purpose");
  });
});
