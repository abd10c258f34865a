// Keystone's X.509 tokenless authorization through HTTPS: keystone's real main with `[ssl] enabled` and
// `[tokenless_auth] trusted_issuer` = the lab intermediate. A request without a token but with a client
// certificate from that issuer and X-Project-* headers is authorised as the user the certificate's CN
// names; the `mapped` method with protocol x509 gives that user a token; password clients without a
// certificate still get in (the certificate is asked for, not required).
import { execFileSync } from "node:child_process";
import { createHash, X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { request } from "node:https";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dnPairs, rfc2253 } from "../../src/engine/common/tls/client-env.js";
import { CaStore } from "../../src/engine/common/tls/store.js";
import { removeTempDirs, run, tempDir } from "./helpers.js";
import { type TlsKeystone, startKeystoneMain } from "./keystone-tls.js";

const hasOpenstack = (() => {
  try {
    execFileSync("openstack", ["--version"], { stdio: "ignore", timeout: 60_000 });
    return true;
  } catch {
    return false;
  }
})();

interface Reply {
  status: number | string;
  // biome-ignore lint/suspicious/noExplicitAny: response documents are untyped JSON
  body: any;
  headers: Record<string, unknown>;
}

let ks: TlsKeystone;
let ca: CaStore;
let issuerDn = "";
let adminToken = "";
let demoId = "";
let foreign: CaStore;

const cert = (store: CaStore, name: string) => ({ cert: readFileSync(store.chainFile(name)), key: readFileSync(store.keyFile(name)) });

function call(
  method: string,
  path: string,
  opts: { cert?: { cert: Buffer; key: Buffer }; headers?: Record<string, string>; body?: unknown } = {},
): Promise<Reply> {
  return new Promise((resolve) => {
    const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    const req = request(
      `${ks.url}${path}`,
      {
        method,
        ca: readFileSync(ks.caFile),
        agent: false,
        ...(opts.cert ?? {}),
        headers: { accept: "application/json", ...(payload ? { "content-type": "application/json" } : {}), ...(opts.headers ?? {}) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString();
          let body: unknown = text;
          try {
            body = text ? JSON.parse(text) : undefined;
          } catch {}
          resolve({ status: res.statusCode ?? 0, body, headers: res.headers });
        });
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error("timeout")));
    req.on("error", (e: NodeJS.ErrnoException) => resolve({ status: e.code ?? e.message, body: undefined, headers: {} }));
    req.end(payload);
  });
}

const demoScope = { "x-project-name": "demo", "x-project-domain-name": "Default" };
const x509Auth = (idp: string, scope?: unknown) => ({
  auth: { identity: { methods: ["mapped"], mapped: { identity_provider: idp, protocol: "x509" } }, ...(scope ? { scope } : {}) },
});

beforeAll(async () => {
  ks = await startKeystoneMain({
    clients: ["alice", "mallory"],
    set: (caDir) => {
      issuerDn = rfc2253(dnPairs(new X509Certificate(readFileSync(join(caDir, "intermediate.crt"))).subject));
      return [`tokenless_auth.trusted_issuer=${issuerDn}`];
    },
  });
  ca = new CaStore(ks.caDir);
  foreign = new CaStore(join(tempDir("ps-foreign-ca-"), "ca"));
  await foreign.init({ organization: "elsewhere" });
  await foreign.issue({ name: "alice", kind: "client" });
  // A password client without a certificate: the admin token that sets the scene up.
  const token = await call("POST", "/v3/auth/tokens", {
    body: {
      auth: {
        identity: { methods: ["password"], password: { user: { name: "admin", domain: { id: "default" }, password: ks.adminPassword } } },
        scope: { project: { name: "admin", domain: { id: "default" } } },
      },
    },
  });
  expect(token.status).toBe(201);
  adminToken = token.headers["x-subject-token"] as string;
  const h = { "x-auth-token": adminToken };
  const project = await call("POST", "/v3/projects", { headers: h, body: { project: { name: "demo", domain_id: "default" } } });
  demoId = project.body.project.id;
  const alice = await call("POST", "/v3/users", {
    headers: h,
    body: { user: { name: "alice", domain_id: "default", password: "alice-pw" } },
  });
  const roles = await call("GET", "/v3/roles?name=member", { headers: h });
  const put = await call("PUT", `/v3/projects/${demoId}/users/${alice.body.user.id}/roles/${roles.body.roles[0].id}`, { headers: h });
  expect(put.status).toBe(204);
}, 120_000);

afterAll(async () => {
  await ks?.stop();
  removeTempDirs();
});

describe("X.509 tokenless authorization", () => {
  it("the trusted issuer is the lab intermediate in RFC 2253 form, as Apache's SSL_CLIENT_I_DN", () => {
    expect(issuerDn).toMatch(/^O=.+,CN=.+Intermediate CA$/);
  });

  it("a certificate from the trusted issuer plus X-Project-* headers is authorised as the CN's user, without a token", async () => {
    const admin = await call("GET", "/v3/projects", {
      cert: cert(ca, "admin"),
      headers: { "x-project-name": "admin", "x-project-domain-id": "default" },
    });
    expect(admin.status).toBe(200);
    expect(admin.body.projects.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(["admin", "demo"]));
    const alice = await call("GET", "/v3/auth/projects", { cert: cert(ca, "alice"), headers: demoScope });
    expect(alice.status).toBe(200);
    expect(alice.body.projects.map((p: { id: string }) => p.id)).toEqual([demoId]);
    // alice is a member, not an admin: the policy still applies to the mapped user.
    expect((await call("GET", "/v3/users", { cert: cert(ca, "alice"), headers: demoScope })).status).toBe(403);
    // X-Project-Id works as well as name + domain.
    expect((await call("GET", "/v3/auth/projects", { cert: cert(ca, "alice"), headers: { "x-project-id": demoId } })).status).toBe(200);
  });

  it("the tokenless caller can validate a token (what a service's authtoken does with its certificate)", async () => {
    const r = await call("GET", "/v3/auth/tokens", {
      cert: cert(ca, "admin"),
      headers: { "x-project-name": "admin", "x-project-domain-name": "Default", "x-subject-token": adminToken },
    });
    expect(r.status).toBe(200);
    expect(r.body.token.user.name).toBe("admin");
  });

  it("refuses what Keystone refuses: no scope (400), a project name without domain (400), no role in the project (401), an unknown user (404)", async () => {
    const noScope = await call("GET", "/v3/auth/projects", { cert: cert(ca, "alice") });
    expect(noScope.status).toBe(400);
    expect(noScope.body.error.message).toMatch(/^Expecting to find project or domain in scope\./);
    const noDomain = await call("GET", "/v3/auth/projects", { cert: cert(ca, "alice"), headers: { "x-project-name": "demo" } });
    expect(noDomain.status).toBe(400);
    expect(noDomain.body.error.message).toMatch(/^Neither Project Domain ID nor Project Domain Name was provided\./);
    const noRole = await call("GET", "/v3/auth/projects", {
      cert: cert(ca, "alice"),
      headers: { "x-project-name": "admin", "x-project-domain-id": "default" },
    });
    expect(noRole.status).toBe(401);
    expect(noRole.body.error.message).toMatch(/has no access to project/);
    expect(noRole.headers["www-authenticate"]).toMatch(/^Keystone uri="https:\/\//);
    const unknown = await call("GET", "/v3/auth/projects", { cert: cert(ca, "mallory"), headers: demoScope });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toBe("Could not find user: mallory.");
  });

  it("without a certificate, or with one from another CA, there is no tokenless caller (401); a token takes precedence", async () => {
    expect((await call("GET", "/v3/auth/projects", { headers: demoScope })).status).toBe(401);
    // Keystone asks for a certificate without requiring one: a foreign one gets through the handshake unverified and counts for nothing.
    expect((await call("GET", "/v3/auth/projects", { cert: cert(foreign, "alice"), headers: demoScope })).status).toBe(401);
    expect(
      (await call("GET", "/v3/auth/projects", { cert: cert(ca, "alice"), headers: { ...demoScope, "x-auth-token": "not-a-token" } }))
        .status,
    ).toBe(401);
  });

  it("the mapped method with protocol x509 issues a token to the certificate's user", async () => {
    const idp = createHash("sha256").update(issuerDn).digest("hex");
    const scope = { project: { name: "demo", domain: { name: "Default" } } };
    const r = await call("POST", "/v3/auth/tokens", { cert: cert(ca, "alice"), body: x509Auth(idp, scope) });
    expect(r.status).toBe(201);
    expect(r.body.token.methods).toEqual(["mapped"]);
    expect(r.body.token.user.name).toBe("alice");
    expect(r.body.token.project.id).toBe(demoId);
    // The token works like any other, from a client without a certificate.
    const token = r.headers["x-subject-token"] as string;
    expect((await call("GET", "/v3/auth/projects", { headers: { "x-auth-token": token } })).status).toBe(200);
    // No certificate, another identity provider, another protocol: 401.
    expect((await call("POST", "/v3/auth/tokens", { body: x509Auth(idp, scope) })).status).toBe(401);
    expect((await call("POST", "/v3/auth/tokens", { cert: cert(ca, "alice"), body: x509Auth("0".repeat(64), scope) })).status).toBe(401);
    const saml = x509Auth(idp, scope);
    saml.auth.identity.mapped.protocol = "saml2";
    expect((await call("POST", "/v3/auth/tokens", { cert: cert(ca, "alice"), body: saml })).status).toBe(401);
    // A payload without identity_provider is malformed (400).
    const bad = await call("POST", "/v3/auth/tokens", {
      cert: cert(ca, "alice"),
      body: { auth: { identity: { methods: ["mapped"], mapped: { protocol: "x509" } } } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/^Expecting to find identity_provider in mapped\./);
  });

  it.skipIf(!hasOpenstack)(
    "the real openstack client authenticates with the certificate: --os-auth-type v3tokenlessauth",
    async () => {
      const r = await run(
        "openstack",
        [
          "--os-auth-type",
          "v3tokenlessauth",
          "--os-auth-url",
          `${ks.url}/v3`,
          "--os-project-name",
          "admin",
          "--os-project-domain-name",
          "Default",
          "--os-cacert",
          ks.caFile,
          "--os-cert",
          ca.chainFile("admin"),
          "--os-key",
          ca.keyFile("admin"),
          "project",
          "list",
          "-f",
          "value",
          "-c",
          "Name",
        ],
        { env: { PATH: process.env.PATH, HOME: tempDir("ps-osc-home-") }, timeoutMs: 90_000 },
      );
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.split("\n")).toEqual(expect.arrayContaining(["admin", "demo"]));
    },
    120_000,
  );

  it("a revoked certificate stops working once the CRL is rewritten (no restart)", async () => {
    expect((await call("GET", "/v3/auth/projects", { cert: cert(ca, "alice"), headers: demoScope })).status).toBe(200);
    ca.revoke("alice", "keyCompromise");
    ca.writeCrls(new Date());
    let status: number | string = 0;
    for (const deadline = Date.now() + 15_000; Date.now() < deadline; ) {
      status = (await call("GET", "/v3/auth/projects", { cert: cert(ca, "alice"), headers: demoScope })).status;
      if (status === 401) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(status).toBe(401);
    // Passwords still work for the same user.
    expect(
      (
        await call("GET", "/v3/auth/projects", {
          cert: cert(ca, "admin"),
          headers: { "x-project-name": "admin", "x-project-domain-id": "default" },
        })
      ).status,
    ).toBe(200);
  }, 30_000);
});
