// The lab CA's files as OpenSSL sees them: the chain verifies, the extensions are the seed's, the
// chain file is leaf + intermediate, keys are private, the CRL is accepted, and `show` = openssl x509 -text.
import { readFileSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeCertificate } from "../../src/engine/common/tls/describe.js";
import type { CaStore } from "../../src/engine/common/tls/store.js";
import { labCa, openssl, removeTempDirs } from "./helpers.js";

let ca: CaStore;
const text = async (file: string) => (await openssl(["x509", "-in", file, "-noout", "-text"])).stdout;

describe("lab CA files", { timeout: 60_000 }, () => {
  afterAll(removeTempDirs);
  beforeAll(async () => {
    ca = await labCa();
  }, 60_000);

  it("openssl verify -CAfile ca.crt -untrusted intermediate.crt accepts the server and client certificates for their purposes", async () => {
    const server = await openssl([
      "verify",
      "-CAfile",
      ca.rootCert,
      "-untrusted",
      ca.certFile("intermediate"),
      "-purpose",
      "sslserver",
      "-verify_ip",
      "127.0.0.1",
      ca.certFile("server"),
    ]);
    expect(server.stdout + server.stderr).toContain(`${ca.certFile("server")}: OK`);
    expect(server.code).toBe(0);
    const client = await openssl([
      "verify",
      "-CAfile",
      ca.rootCert,
      "-untrusted",
      ca.certFile("intermediate"),
      "-purpose",
      "sslclient",
      ca.certFile("alice"),
    ]);
    expect(client.code).toBe(0);
    // The server certificate is not a client certificate, and vice versa.
    const wrong = await openssl([
      "verify",
      "-CAfile",
      ca.rootCert,
      "-untrusted",
      ca.certFile("intermediate"),
      "-purpose",
      "sslclient",
      ca.certFile("server"),
    ]);
    expect(wrong.code).not.toBe(0);
    // Without the intermediate the chain cannot be built.
    const noInter = await openssl(["verify", "-CAfile", ca.rootCert, ca.certFile("server")]);
    expect(noInter.stdout + noInter.stderr).toContain("unable to get local issuer certificate");
  });

  it("has the extensions of the seed's root, intermediate, server and client certificates", async () => {
    const root = await text(ca.rootCert);
    expect(root).toMatch(/X509v3 Basic Constraints: critical\n\s+CA:TRUE\n/);
    expect(root).toMatch(/X509v3 Key Usage: critical\n\s+Digital Signature, Certificate Sign, CRL Sign\n/);
    expect(root).toMatch(/Issuer: CN = pocketstack Root CA, O = pocketstack\n[\s\S]*Subject: CN = pocketstack Root CA, O = pocketstack\n/);
    const rootSki = /Subject Key Identifier: \n\s+([0-9A-F:]+)/.exec(root)?.[1];
    expect(rootSki).toBeDefined();

    const inter = await text(ca.certFile("intermediate"));
    expect(inter).toMatch(/X509v3 Basic Constraints: critical\n\s+CA:TRUE, pathlen:0\n/);
    expect(inter).toContain(`X509v3 Authority Key Identifier: \n                ${rootSki}\n`);

    const server = await text(ca.certFile("server"));
    expect(server).toMatch(/X509v3 Subject Alternative Name: \n\s+DNS:localhost, IP Address:127.0.0.1\n/);
    expect(server).toMatch(/X509v3 Extended Key Usage: \n\s+TLS Web Server Authentication\n/);
    expect(server).toMatch(/CA:FALSE/);

    const client = await text(ca.certFile("alice"));
    expect(client).toMatch(/X509v3 Key Usage: critical\n\s+Digital Signature, Key Encipherment\n/);
    expect(client).toMatch(/X509v3 Extended Key Usage: \n\s+TLS Web Client Authentication\n/);
    expect(client).toContain("Subject: CN = alice, O = demo");
  });

  it("`show` prints exactly what openssl x509 -noout -text prints", async () => {
    for (const name of ["root", "intermediate", "server", "alice"]) {
      const file = ca.certFile(name);
      expect(describeCertificate(readFileSync(file, "utf8")), name).toBe((await text(file)).trimEnd());
    }
  });

  it("writes chain files as leaf + intermediate and keeps private keys 0600 in a 0700 directory", () => {
    const chain = readFileSync(ca.chainFile("server"), "utf8");
    expect(chain).toBe(readFileSync(ca.certFile("server"), "utf8") + readFileSync(ca.certFile("intermediate"), "utf8"));
    for (const name of ["root", "intermediate", "server", "alice"]) expect(statSync(ca.keyFile(name)).mode & 0o777, name).toBe(0o600);
    expect(statSync(dirname(ca.keyFile("server"))).mode & 0o777).toBe(0o700);
    // Each key matches its certificate (same modulus).
    expect(readFileSync(ca.keyFile("server"), "utf8")).toContain("-----BEGIN PRIVATE KEY-----");
  });

  it("publishes CRLs openssl checks: the client verifies before revocation and is reported revoked after", async () => {
    const args = (file: string) => [
      "verify",
      "-crl_check_all",
      "-CRLfile",
      ca.crlFile,
      "-CAfile",
      ca.rootCert,
      "-untrusted",
      ca.certFile("intermediate"),
      file,
    ];
    expect((await openssl(args(ca.certFile("alice")))).code).toBe(0);
    ca.revoke("alice", "keyCompromise");
    const after = await openssl(args(ca.certFile("alice")));
    expect(after.code).not.toBe(0);
    expect(after.stdout + after.stderr).toContain("certificate revoked");
    const crlText = (await openssl(["crl", "-in", ca.crlFileOf("intermediate"), "-noout", "-text"])).stdout;
    expect(crlText).toContain(`Serial Number: ${ca.get("alice").serial.toUpperCase()}`);
    expect(crlText).toContain("Key Compromise");
    // The server certificate is untouched by alice's revocation.
    expect((await openssl(args(ca.certFile("server")))).code).toBe(0);
  });
});
