// The real `openstack` client over HTTPS against keystone with the lab CA: `--os-cacert ca.crt token
// issue` works and without the CA it refuses the certificate; with client certificates required,
// `--os-cert/--os-key` get a token and no certificate does not.
import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CaStore } from "../../src/engine/common/tls/store.js";
import { tempDir, run, removeTempDirs } from "./helpers.js";
import { type TlsKeystone, httpsStatus, startTlsKeystone } from "./keystone-tls.js";

const hasOpenstack = (() => {
  try {
    execFileSync("openstack", ["--version"], { stdio: "ignore", timeout: 60_000 });
    return true;
  } catch {
    return false;
  }
})();

let ks: TlsKeystone;
let mtls: TlsKeystone;
const home = tempDir("ps-openstack-tls-");
const openstack = (k: TlsKeystone, args: string[]) =>
  run("openstack", args, {
    timeoutMs: 90_000,
    env: {
      PATH: process.env.PATH,
      HOME: home,
      OS_AUTH_URL: `${k.url}/v3`,
      OS_IDENTITY_API_VERSION: "3",
      OS_USERNAME: "admin",
      OS_PASSWORD: k.adminPassword,
      OS_PROJECT_NAME: "admin",
      OS_USER_DOMAIN_NAME: "Default",
      OS_PROJECT_DOMAIN_NAME: "Default",
    },
  });

describe.skipIf(!hasOpenstack)("the real openstack client over HTTPS", { timeout: 240_000 }, () => {
  afterAll(removeTempDirs);
  beforeAll(async () => {
    [ks, mtls] = await Promise.all([startTlsKeystone(), startTlsKeystone({ verifyClient: true })]);
  }, 90_000);
  afterAll(async () => {
    await Promise.all([ks?.stop(), mtls?.stop()]);
  });

  it("openstack --os-cacert ca.crt token issue works; without the CA the certificate is refused", async () => {
    const [ok, noCa] = await Promise.all([
      openstack(ks, ["--os-cacert", ks.caFile, "token", "issue", "-f", "json"]),
      openstack(ks, ["token", "issue", "-f", "json"]),
    ]);
    expect(ok.code, ok.stderr).toBe(0);
    const token = JSON.parse(ok.stdout) as Record<string, string>;
    expect(token.id).toMatch(/^gAAAAA/);
    expect(token.project_id).toMatch(/^[0-9a-f]{32}$/);
    expect(noCa.code).not.toBe(0);
    expect(noCa.stderr).toMatch(/CERTIFICATE_VERIFY_FAILED|certificate verify failed/);
  });

  it("with client certificates required: --os-cert/--os-key get a token, none is refused, revoked is refused", async () => {
    const store = new CaStore(mtls.caDir);
    await store.issue({ name: "script", kind: "client", subject: "CN=script,O=demo" });
    const withCert = ["--os-cacert", mtls.caFile, "--os-cert", store.chainFile("script"), "--os-key", store.keyFile("script")];
    const [ok, none] = await Promise.all([
      openstack(mtls, [...withCert, "token", "issue", "-f", "json"]),
      openstack(mtls, ["--os-cacert", mtls.caFile, "token", "issue"]),
    ]);
    expect(ok.code, ok.stderr).toBe(0);
    expect((JSON.parse(ok.stdout) as Record<string, string>).id).toMatch(/^gAAAAA/);
    expect(none.code).not.toBe(0);
    expect(none.stderr).toMatch(/certificate required|SSL/i);

    store.revoke("script", "keyCompromise");
    // keystone re-reads crl.pem on change (polled every 2 s); wait until the revoked certificate is dropped.
    const client = { cert: store.chainFile("script"), key: store.keyFile("script") };
    let status: number | string = 200;
    for (const deadline = Date.now() + 15_000; status === 200 && Date.now() < deadline; ) {
      await new Promise((r) => setTimeout(r, 500));
      status = await httpsStatus(`${mtls.url}/v3`, mtls.caFile, client);
    }
    expect(status).toBe("ECONNRESET");
    const revoked = await openstack(mtls, [...withCert, "token", "issue"]);
    expect(revoked.code).not.toBe(0);
  });
});
