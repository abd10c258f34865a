import { spawn } from "node:child_process";
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Config, loadConfig, parseOverride } from "../common/config/config.js";
import { type Layout, layout } from "../common/paths.js";
import { setIniOption } from "./conf-edit.js";
import { deployOffline, deployOnline, discoverHosts, ensureCirrosImage } from "./deploy.js";
import { type HealthClientCert, healthCheck } from "./health.js";
import { allServices } from "./nodes.js";
import { ensureStateDir, preflight } from "./preflight.js";
import { entryCommand } from "./services.js";
import { type SupervisorState, isAlive, readState } from "./state.js";

export interface UpOptions {
  overrides?: string[];
  timeoutMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function supervisorPid(l: Layout): number | undefined {
  try {
    const pid = Number(readFileSync(l.supervisorPid, "utf8").trim());
    return isAlive(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** The state file, with each unit's pid checked against the process table. */
export function cloudStatus(dir: string): { running: boolean; state?: SupervisorState } {
  const l = layout(dir);
  const pid = supervisorPid(l);
  const state = readState(l.supervisorState);
  if (state) for (const u of state.units) if (u.pid && !isAlive(u.pid)) Object.assign(u, { pid: null, state: "failed" });
  if (state && !pid) for (const u of state.units) if (u.state !== "failed") Object.assign(u, { pid: null, state: "stopped" });
  return { running: pid !== undefined, state };
}

/** `os cloud up --tls`: record [ssl] enabled = true in this cloud's pocketstack.conf. */
export function enableTls(dir: string): void {
  const l = layout(dir);
  mkdirSync(l.run, { recursive: true });
  ensureConfigFile(l);
  setIniOption(l.config, "ssl", "enabled", "true");
}

/** Write a first pocketstack.conf (the user's to edit) if there is none. */
function ensureConfigFile(l: Layout) {
  if (existsSync(l.config)) return;
  writeFileSync(
    l.config,
    [
      "# pocketstack.conf: this cloud's configuration. Every option and its default:",
      "# fixtures/pocketstack.conf.sample (or `os manage config sample`).",
      "[DEFAULT]",
      "host = controller",
      "",
    ].join("\n"),
    { mode: 0o600 },
  );
}

/**
 * Start the supervisor (detached: it outlives this command) unless one runs already, then wait until
 * every unit is running and answers its health check. Returns the config in force.
 */
export async function cloudUp(dir: string, opts: UpOptions = {}): Promise<{ config: Config; alreadyRunning: boolean; warning?: string }> {
  const l = layout(dir);
  ensureStateDir(l);
  ensureConfigFile(l);
  for (const o of opts.overrides ?? []) parseOverride(o);
  const env: NodeJS.ProcessEnv = { ...process.env, POCKETSTACK_HOME: dir, POCKETSTACK_SET: (opts.overrides ?? []).join(";") };
  let config = withEnv(env, () => loadConfig(l.config));
  const alreadyRunning = supervisorPid(l) !== undefined;
  if (!alreadyRunning) {
    await preflight(l, allServices(l.root, config), config.str("DEFAULT", "my_ip"), config.str("libvirt", "emulator"));
    const tls = await prepareCloudTls(l, config);
    if (tls) env.NODE_EXTRA_CA_CERTS = tls.caFile; // the services trust the lab CA when they call each other
    // The admin profile trusts the lab CA and carries the admin client certificate (for [ssl] verify_client).
    const profileTls = tls ? { cacert: tls.caFile, cert: tls.admin.chainFile, key: tls.admin.keyFile } : {};
    config = await deployOffline(l, config, () => withEnv(env, () => loadConfig(l.config)), profileTls);
    rmSync(l.supervisorState, { force: true });
    const out = openSync(l.log("supervisor"), "a");
    const { args } = entryCommand("engine/cloud/supervisor-main");
    const child = spawn(process.execPath, args, { env, detached: true, stdio: ["ignore", out, out] });
    child.unref();
  }
  await waitHealthy(
    l,
    config,
    opts.timeoutMs ?? config.int("supervisor", "start_timeout") * 1000,
    caFileOf(l, config),
    await healthClientCert(l, config),
  );
  await deployOnline(l, config);
  await discoverHosts(l);
  const warning = await ensureCirrosImage(l);
  return { config, alreadyRunning, warning };
}

function withEnv<T>(env: NodeJS.ProcessEnv, fn: () => T): T {
  const saved = process.env.POCKETSTACK_SET;
  const put = (v: string | undefined) => {
    // Assigning undefined to process.env stores the string "undefined".
    if (v === undefined) delete process.env.POCKETSTACK_SET;
    else process.env.POCKETSTACK_SET = v;
  };
  put(env.POCKETSTACK_SET);
  try {
    return fn();
  } finally {
    put(saved);
  }
}

/** `os cloud up --tls`: the lab CA and one server certificate per API (issued once, reused after). */
async function prepareCloudTls(l: Layout, config: Config) {
  if (!config.bool("ssl", "enabled")) return undefined;
  const { prepareTls } = await import("../common/tls/prepare.js");
  const hosts = [config.str("DEFAULT", "my_ip"), config.str("DEFAULT", "host")];
  const names = ["keystone", "glance", "placement", "nova-api", "novncproxy"];
  return prepareTls(
    l.root,
    names.map((name) => ({ name, hosts })),
    { caDir: config.str("ssl", "ca_dir") || undefined, days: config.int("ssl", "cert_days") },
  );
}

function caFileOf(l: Layout, config: Config): string | undefined {
  if (!config.bool("ssl", "enabled")) return undefined;
  return join(config.str("ssl", "ca_dir") || join(l.root, "ca"), "ca.crt");
}

/** The services' client certificate, which the health checks present to APIs that require one. */
async function healthClientCert(l: Layout, config: Config): Promise<HealthClientCert | undefined> {
  if (!config.bool("ssl", "enabled")) return undefined;
  const { labClientFiles } = await import("../common/tls/client-identity.js");
  const files = labClientFiles(config, l);
  return files && { certFile: files.cert, keyFile: files.key };
}

async function waitHealthy(l: Layout, config: Config, timeoutMs: number, caFile?: string, client?: HealthClientCert) {
  const deadline = Date.now() + timeoutMs;
  const specs = allServices(l.root, config);
  const host = config.str("DEFAULT", "my_ip");
  while (Date.now() < deadline) {
    const state = readState(l.supervisorState);
    const units = state?.units ?? [];
    const allRunning = specs.every((s) => units.find((u) => u.name === s.name)?.state === "running");
    if (allRunning) {
      const health = await Promise.all(specs.map((s) => healthCheck(s, host, 2000, caFile, client)));
      if (health.every(Boolean)) return;
    }
    if (!supervisorPid(l) && Date.now() > deadline - timeoutMs + 3000) throw new Error(`the supervisor exited; see ${l.log("supervisor")}`);
    await sleep(200);
  }
  const state = readState(l.supervisorState);
  const bad = (state?.units ?? []).filter((u) => u.state !== "running").map((u) => `${u.name} (${u.state})`);
  throw new Error(`timed out waiting for the cloud to come up: ${bad.join(", ") || "health checks failing"}; logs in ${l.logs}`);
}

/** Stop exactly what the supervisor started: SIGTERM to the supervisor, which stops its units. */
export async function cloudDown(dir: string, graceMs = 15_000): Promise<boolean> {
  const l = layout(dir);
  const pid = supervisorPid(l);
  if (!pid) return false;
  const units = readState(l.supervisorState)?.units ?? [];
  process.kill(pid, "SIGTERM");
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(100);
  if (isAlive(pid)) {
    // The supervisor is stuck: kill it and the units it recorded, by pid, never by name.
    process.kill(pid, "SIGKILL");
    for (const u of units) if (u.pid && isAlive(u.pid)) process.kill(u.pid, "SIGKILL");
  }
  rmSync(l.supervisorPid, { force: true });
  return true;
}
