// test/helpers/keystone.ts's startKeystone with HTTPS from a lab CA (and, optionally, required client
// certificates): the same bootstrap and process handling, a catalog with https:// URLs.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { prepareTls } from "../../src/engine/common/tls/prepare.js";
import { CaStore } from "../../src/engine/common/tls/store.js";
import { bootstrapKeystoneState, spawnKeystoneProcess, stopProcess } from "../helpers/keystone.js";
import { freePort } from "../helpers/ports.js";
import { entryArgv } from "../helpers/runtime.js";

const root = resolve(fileURLToPath(new URL("../..", import.meta.url)));

export interface TlsKeystone {
  url: string;
  stateDir: string;
  caFile: string;
  caDir: string;
  adminPassword: string;
  /** Client certificate the services use (valid when mutual TLS is on). */
  client: { certFile: string; keyFile: string; chainFile: string };
  stop(): Promise<void>;
}

/** GET over HTTPS trusting `caFile`; resolves the status, or the error code. */
export function httpsStatus(url: string, caFile: string, client?: { cert: string; key: string }): Promise<number | string> {
  return new Promise((res) => {
    const req = request(
      url,
      { ca: readFileSync(caFile), agent: false, ...(client ? { cert: readFileSync(client.cert), key: readFileSync(client.key) } : {}) },
      (r) => {
        r.resume();
        res(r.statusCode ?? 0);
      },
    );
    req.setTimeout(5000, () => req.destroy(new Error("timeout")));
    req.on("error", (e: NodeJS.ErrnoException) => res(e.code ?? e.message));
    req.end();
  });
}

export async function startTlsKeystone(opts: { verifyClient?: boolean; adminPassword?: string } = {}): Promise<TlsKeystone> {
  const stateDir = mkdtempSync(join(tmpdir(), "pocketstack-keystone-tls-"));
  const adminPassword = opts.adminPassword ?? "secret-admin-pw";
  const port = await freePort();
  const settings = [`api.keystone_port=${port}`, "DEFAULT.my_ip=127.0.0.1", "trace.enabled=false", "identity.password_hash_rounds=4"];
  const url = `https://127.0.0.1:${port}`;
  const tls = await prepareTls(stateDir, [{ name: "keystone", hosts: ["127.0.0.1"] }]);

  bootstrapKeystoneState(stateDir, settings, url, adminPassword);
  const probeClient = { cert: tls.client.chainFile, key: tls.client.keyFile };
  const child = await spawnKeystoneProcess({
    argv: ["--import", "tsx", join(root, "test/tls/fixtures/keystone-tls-main.ts")],
    stateDir,
    settings,
    url,
    env: { PS_TLS_CA_DIR: tls.caDir, PS_TLS_VERIFY_CLIENT: opts.verifyClient ? "1" : "0" },
    answers: async () => (await httpsStatus(`${url}/v3`, tls.caFile, probeClient)) === 200,
  }).catch((e: Error) => {
    rmSync(stateDir, { recursive: true, force: true });
    throw e;
  });
  const stop = async () => {
    await stopProcess(child);
    rmSync(stateDir, { recursive: true, force: true });
  };
  return { url, stateDir, caFile: tls.caFile, caDir: tls.caDir, adminPassword, client: tls.client, stop };
}

/**
 * Keystone's real main (src/engine/identity/main.ts, or its dist/ build) with `[ssl] enabled = true` and
 * the lab CA in <state dir>/ca, as `os cloud up --tls` runs it; `set` adds overrides ([tokenless_auth] …).
 * Also issues client certificates named in `clients` (CN = the name).
 */
export async function startKeystoneMain(opts: { set?: (caDir: string) => string[]; clients?: string[] } = {}): Promise<TlsKeystone> {
  const stateDir = mkdtempSync(join(tmpdir(), "pocketstack-keystone-main-"));
  const adminPassword = "secret-admin-pw";
  const port = await freePort();
  const tls = await prepareTls(stateDir, [{ name: "keystone", hosts: ["127.0.0.1"] }]);
  const ca = new CaStore(tls.caDir);
  for (const name of opts.clients ?? []) await ca.issue({ name, kind: "client" });
  ca.writeCrls(new Date());
  const settings = [
    `api.keystone_port=${port}`,
    "DEFAULT.my_ip=127.0.0.1",
    "trace.enabled=false",
    "identity.password_hash_rounds=4",
    "ssl.enabled=true",
    ...(opts.set?.(tls.caDir) ?? []),
  ];
  const url = `https://127.0.0.1:${port}`;
  bootstrapKeystoneState(stateDir, settings, url, adminPassword);
  const child = await spawnKeystoneProcess({
    argv: entryArgv("src/engine/identity/main.ts"),
    stateDir,
    settings,
    url,
    answers: async () => (await httpsStatus(`${url}/v3`, tls.caFile)) === 200,
    timeoutMs: 60_000,
  }).catch((e: Error) => {
    rmSync(stateDir, { recursive: true, force: true });
    throw e;
  });
  const stop = async () => {
    await stopProcess(child);
    rmSync(stateDir, { recursive: true, force: true });
  };
  return { url, stateDir, caFile: tls.caFile, caDir: tls.caDir, adminPassword, client: tls.client, stop };
}
