// A copy of test/helpers/keystone.ts's startKeystone with one addition: HTTPS from a lab CA (and,
// optionally, required client certificates). The catalog is bootstrapped with https:// URLs.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { loadConfig } from "../../src/engine/common/config/config.js";
import { layout } from "../../src/engine/common/paths.js";
import { prepareTls } from "../../src/engine/common/tls/prepare.js";
import { CaStore } from "../../src/engine/common/tls/store.js";
import { bootstrap } from "../../src/engine/identity/bootstrap.js";
import { ensureTokenKeys, openKeystoneStore } from "../../src/engine/identity/keystone.js";
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

  const config = loadConfig(undefined, settings);
  const l = layout(stateDir);
  ensureTokenKeys(config, l);
  const store = openKeystoneStore(config, l);
  try {
    bootstrap(store, {
      password: adminPassword,
      regionId: "RegionOne",
      publicUrl: `${url}/v3`,
      internalUrl: `${url}/v3`,
      adminUrl: `${url}/v3`,
    });
  } finally {
    store.close();
  }

  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", join(root, "test/tls/fixtures/keystone-tls-main.ts")], {
    cwd: root,
    env: {
      ...process.env,
      POCKETSTACK_HOME: stateDir,
      POCKETSTACK_SET: settings.join(";"),
      PS_TLS_CA_DIR: tls.caDir,
      PS_TLS_VERIFY_CLIENT: opts.verifyClient ? "1" : "0",
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const stop = async () => {
    if (child.exitCode === null && child.pid !== undefined) {
      const exited = new Promise<void>((r) => child.once("exit", () => r()));
      process.kill(child.pid, "SIGTERM");
      const timer = setTimeout(() => child.exitCode === null && child.pid !== undefined && process.kill(child.pid, "SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(stateDir, { recursive: true, force: true });
  };
  const probeClient = { cert: tls.client.chainFile, key: tls.client.keyFile };
  for (const deadline = Date.now() + 30_000; ; ) {
    if (child.exitCode !== null) throw new Error(`keystone exited with ${child.exitCode} before answering:\n${stderr}`);
    if ((await httpsStatus(`${url}/v3`, tls.caFile, probeClient)) === 200) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`keystone did not answer GET ${url}/v3 within 30 s:\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 150));
  }
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
  const config = loadConfig(undefined, settings);
  const l = layout(stateDir);
  ensureTokenKeys(config, l);
  const store = openKeystoneStore(config, l);
  try {
    bootstrap(store, {
      password: adminPassword,
      regionId: "RegionOne",
      publicUrl: `${url}/v3`,
      internalUrl: `${url}/v3`,
      adminUrl: `${url}/v3`,
    });
  } finally {
    store.close();
  }
  const child: ChildProcess = spawn(process.execPath, entryArgv("src/engine/identity/main.ts"), {
    cwd: root,
    env: { ...process.env, POCKETSTACK_HOME: stateDir, POCKETSTACK_SET: settings.join(";") },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const stop = async () => {
    if (child.exitCode === null && child.pid !== undefined) {
      const exited = new Promise<void>((r) => child.once("exit", () => r()));
      process.kill(child.pid, "SIGTERM");
      const timer = setTimeout(() => child.exitCode === null && child.pid !== undefined && process.kill(child.pid, "SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(stateDir, { recursive: true, force: true });
  };
  for (const deadline = Date.now() + 60_000; ; ) {
    if (child.exitCode !== null) throw new Error(`keystone exited with ${child.exitCode} before answering:\n${stderr}`);
    if ((await httpsStatus(`${url}/v3`, tls.caFile)) === 200) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`keystone did not answer GET ${url}/v3 within 60 s:\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  return { url, stateDir, caFile: tls.caFile, caDir: tls.caDir, adminPassword, client: tls.client, stop };
}
