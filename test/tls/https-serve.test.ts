// serve() over HTTPS with the lab CA: openssl s_client verifies the chain (Verify return code 0),
// prepareTls issues once and reuses, and mutual TLS refuses no certificate and a revoked one at the
// handshake while a valid client certificate gets 200 — the revocation taking effect without a restart.
import { readFileSync } from "node:fs";
import type { Server } from "node:http";
import { request } from "node:https";
import type { AddressInfo } from "node:net";
import type { TLSSocket } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serve } from "../../src/engine/common/http/server.js";
import type { App } from "../../src/engine/common/http/types.js";
import { type PreparedTls, SERVICE_CLIENT_CERT, prepareTls } from "../../src/engine/common/tls/prepare.js";
import { caServeOptions } from "../../src/engine/common/tls/serve-options.js";
import { CaStore } from "../../src/engine/common/tls/store.js";
import { tempDir, openssl, removeTempDirs } from "./helpers.js";
import { join } from "node:path";

// The app answers with the client certificate's subject, as Keystone's x509 mapping would read it.
const app: App = async (req) => {
  const peer = (req.raw.socket as TLSSocket).getPeerCertificate?.();
  return {
    status: 200,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ path: req.path, client: peer?.subject?.CN ?? null, proto: req.headers["x-forwarded-proto"] ?? null }),
  };
};

let stateDir: string;
let prepared: PreparedTls;
let store: CaStore;
const servers: Server[] = [];
const portOf = (s: Server) => (s.address() as AddressInfo).port;

interface Got {
  status?: number;
  body?: string;
  error?: string;
}
function get(port: number, client?: { cert: string; key: string }): Promise<Got> {
  return new Promise((resolve) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        path: "/v3",
        ca: readFileSync(prepared.caFile),
        agent: false,
        ...(client ? { cert: readFileSync(client.cert), key: readFileSync(client.key) } : {}),
      },
      (res) => {
        let body = "";
        res.on("data", (c) => (body += c));
        res.on("end", () => resolve({ status: res.statusCode, body }));
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error("timeout")));
    req.on("error", (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
    req.end();
  });
}

describe("HTTPS and mutual TLS with serve()", { timeout: 90_000 }, () => {
  beforeAll(async () => {
    stateDir = tempDir("ps-https-");
    prepared = await prepareTls(stateDir, [
      { name: "keystone", hosts: ["127.0.0.1"] },
      { name: "glance", hosts: ["127.0.0.1", "controller"] },
    ]);
    store = new CaStore(prepared.caDir);
    await store.issue({ name: "alice", kind: "client", subject: "CN=alice,O=demo" });
    await store.issue({ name: "mallory", kind: "client", subject: "CN=mallory,O=demo" });
  }, 90_000);
  afterAll(async () => {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    removeTempDirs();
  });

  it("prepareTls creates the CA once, a chain per service, and reuses what still fits", async () => {
    expect(prepared.createdCa).toBe(true);
    expect(prepared.caFile).toBe(join(stateDir, "ca", "ca.crt"));
    expect(Object.keys(prepared.services)).toEqual(["keystone", "glance"]);
    expect(prepared.services.keystone?.reused).toBe(false);
    const glance = await openssl(["x509", "-in", prepared.services.glance?.certFile as string, "-noout", "-ext", "subjectAltName"]);
    expect(glance.stdout).toContain("IP Address:127.0.0.1, DNS:controller, DNS:localhost");
    const again = await prepareTls(stateDir, [{ name: "keystone", hosts: ["127.0.0.1"] }]);
    expect(again.createdCa).toBe(false);
    expect(again.services.keystone?.reused).toBe(true);
    expect(again.client.reused).toBe(true);
    // A new address for the service means a new certificate.
    const moved = await prepareTls(stateDir, [{ name: "keystone", hosts: ["127.0.0.1", "10.1.2.3"] }]);
    expect(moved.services.keystone?.reused).toBe(false);
    expect(
      store
        .list()
        .filter((c) => c.name === "keystone")
        .map((c) => c.status),
    ).toEqual(["superseded", "valid"]);
  });

  it("openssl s_client -CAfile ca.crt verifies the served chain: Verify return code 0", async () => {
    const server = await serve(app, 0, "127.0.0.1", caServeOptions(prepared.caDir, "keystone"));
    servers.push(server);
    const r = await openssl(
      ["s_client", "-connect", `127.0.0.1:${portOf(server)}`, "-CAfile", prepared.caFile, "-verify_ip", "127.0.0.1", "-brief"],
      "",
    );
    const out = r.stdout + r.stderr;
    expect(out).toMatch(/Verification: OK/);
    const full = await openssl(["s_client", "-connect", `127.0.0.1:${portOf(server)}`, "-CAfile", prepared.caFile, "-showcerts"], "");
    expect(full.stdout).toContain("Verify return code: 0 (ok)");
    // The server sends the chain: leaf then intermediate.
    expect(full.stdout).toMatch(/ 0 s:CN = keystone, O = pocketstack[\s\S]* 1 s:CN = pocketstack Intermediate CA/);
    // Without the CA the same server is not trusted.
    const untrusted = await openssl(["s_client", "-connect", `127.0.0.1:${portOf(server)}`, "-verify_return_error"], "");
    expect(untrusted.stdout + untrusted.stderr).toMatch(/unable to get local issuer certificate/);
    // Links the services build (from X-Forwarded-Proto) say https when the client came over TLS.
    expect(await get(portOf(server))).toEqual({ status: 200, body: JSON.stringify({ path: "/v3", client: null, proto: "https" }) });
  });

  it("serve() without TLS options still serves plain HTTP", async () => {
    const server = await serve(app, 0);
    servers.push(server);
    const res = await fetch(`http://127.0.0.1:${portOf(server)}/x`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ path: "/x", client: null, proto: null });
  });

  it("mutual TLS: no certificate is refused at the handshake, a valid one gets 200, a revoked one is refused", async () => {
    const opts = caServeOptions(prepared.caDir, "keystone", { requestCert: true });
    if (opts.tls?.watch) opts.tls.watch.intervalMs = 200;
    const server = await serve(app, 0, "127.0.0.1", opts);
    servers.push(server);
    const port = portOf(server);

    const none = await get(port);
    expect(none.status).toBeUndefined();
    expect(none.error).toBe("ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED");

    const alice = { cert: store.chainFile("alice"), key: store.keyFile("alice") };
    expect(await get(port, alice)).toEqual({ status: 200, body: JSON.stringify({ path: "/v3", client: "alice", proto: "https" }) });
    // The leaf alone also works: the server trusts the intermediate through ca-chain.crt.
    expect((await get(port, { cert: store.certFile("alice"), key: store.keyFile("alice") })).status).toBe(200);
    // The services' own client certificate (for calls between services) is accepted too.
    expect((await get(port, { cert: prepared.client.chainFile, key: prepared.client.keyFile })).status).toBe(200);
    expect(SERVICE_CLIENT_CERT).toBe("pocketstack-services");

    // A server certificate presented as a client certificate has the wrong purpose: the connection is
    // dropped before any request is read (no HTTP status).
    const wrongPurpose = await get(port, { cert: store.chainFile("keystone"), key: store.keyFile("keystone") });
    expect(wrongPurpose.status).toBeUndefined();
    expect(wrongPurpose.error).toBe("ECONNRESET");

    const mallory = { cert: store.chainFile("mallory"), key: store.keyFile("mallory") };
    expect((await get(port, mallory)).status).toBe(200);
    store.revoke("mallory", "keyCompromise");
    // The running server re-reads crl.pem; no restart.
    let after: Got = {};
    for (const deadline = Date.now() + 10_000; Date.now() < deadline; ) {
      after = await get(port, mallory);
      if (after.error) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(after.status).toBeUndefined();
    expect(after.error).toBe("ECONNRESET");
    expect((await get(port, alice)).status).toBe(200);
    // openssl s_client sees the same: no certificate → the handshake fails with "certificate required".
    const noCert = await openssl(
      ["s_client", "-connect", `127.0.0.1:${port}`, "-CAfile", prepared.caFile, "-ign_eof"],
      "GET /v3 HTTP/1.0\r\n\r\n",
    );
    expect(noCert.stdout + noCert.stderr).toMatch(/alert certificate required/);
  });
});
