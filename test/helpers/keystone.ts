import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { loadConfig } from "../../src/engine/common/config/config.js";
import { layout } from "../../src/engine/common/paths.js";
import { bootstrap } from "../../src/engine/identity/bootstrap.js";
import { ensureTokenKeys, openKeystoneStore } from "../../src/engine/identity/keystone.js";
import { entryArgv } from "./runtime.js";
import { freePort } from "./ports.js";
export { freePort };

const root = resolve(fileURLToPath(new URL("../..", import.meta.url)));

export interface KeystoneHandle {
  /** http://127.0.0.1:<port> (the identity endpoint is `${url}/v3`). */
  url: string;
  stateDir: string;
  adminPassword: string;
  /** Overrides the process runs with (section.option=value), e.g. to start a second one alike. */
  settings: string[];
  pid: number;
  stop(): Promise<void>;
  /** Stop the process but keep the state dir, then start it again on the same port. */
  restart(): Promise<void>;
}

export interface StartOptions {
  adminPassword?: string;
  /** Extra section.option=value overrides. */
  set?: string[];
  /** Reuse an existing state dir (then it is not deleted on stop). */
  stateDir?: string;
  /** Cheap password hashing (bcrypt cost 4) so tests stay fast; default true. */
  fastHashing?: boolean;
}

/**
 * A real keystone process for a test: a temp state dir, a free port, `bootstrap` (admin user, project,
 * roles, identity endpoints), then keystone's main (dist/ or src/ via test/helpers/runtime.ts), ready once GET /v3 answers.
 */
export async function startKeystone(opts: StartOptions = {}): Promise<KeystoneHandle> {
  const ownDir = !opts.stateDir;
  const stateDir = opts.stateDir ?? mkdtempSync(join(tmpdir(), "pocketstack-keystone-"));
  const adminPassword = opts.adminPassword ?? "secret-admin-pw";
  const port = await freePort();
  const settings = [
    `api.keystone_port=${port}`,
    "DEFAULT.my_ip=127.0.0.1",
    "trace.enabled=false",
    ...(opts.fastHashing === false ? [] : ["identity.password_hash_rounds=4"]),
    ...(opts.set ?? []),
  ];
  const url = `http://127.0.0.1:${port}`;

  bootstrapKeystoneState(stateDir, settings, url, adminPassword);

  let child: ChildProcess | undefined;
  const start = async () => {
    child = await spawnKeystone(stateDir, settings, url);
  };
  const stopChild = async () => {
    const c = child;
    child = undefined;
    await stopProcess(c);
  };
  await start();
  return {
    url,
    stateDir,
    adminPassword,
    settings,
    get pid() {
      return child?.pid ?? -1;
    },
    async stop() {
      await stopChild();
      if (ownDir) rmSync(stateDir, { recursive: true, force: true });
    },
    async restart() {
      await stopChild();
      await start();
    },
  };
}

/** What keystone-manage does before keystone first starts: token keys, then `bootstrap` (admin, roles, identity endpoints at `url`). */
export function bootstrapKeystoneState(stateDir: string, settings: string[], url: string, adminPassword: string): void {
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
}

/** SIGTERM, SIGKILL after 5 s; resolves once the process has exited (at once if it is not running). */
export async function stopProcess(c: ChildProcess | undefined): Promise<void> {
  if (!c || c.exitCode !== null || c.pid === undefined) return;
  const exited = new Promise<void>((res) => c.once("exit", () => res()));
  process.kill(c.pid, "SIGTERM");
  const timer = setTimeout(() => c.pid !== undefined && c.exitCode === null && process.kill(c.pid, "SIGKILL"), 5000);
  await exited;
  clearTimeout(timer);
}

/**
 * A keystone process (`argv` after node) on a bootstrapped state dir, resolved once `answers()` says it
 * serves `url`; if it exits or stays silent for `timeoutMs`, it is killed and the error carries its stderr.
 */
export async function spawnKeystoneProcess(opts: {
  argv: string[];
  stateDir: string;
  settings: string[];
  url: string;
  answers: () => Promise<boolean>;
  env?: Record<string, string>;
  timeoutMs?: number;
}): Promise<ChildProcess> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const child = spawn(process.execPath, opts.argv, {
    cwd: root,
    env: { ...process.env, POCKETSTACK_HOME: opts.stateDir, POCKETSTACK_SET: opts.settings.join(";"), ...opts.env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`keystone exited with ${child.exitCode} before answering:\n${stderr}`);
    if (await opts.answers()) return child;
    await new Promise((r) => setTimeout(r, 100));
  }
  if (child.pid !== undefined) process.kill(child.pid, "SIGKILL");
  throw new Error(`keystone did not answer GET ${opts.url}/v3 within ${timeoutMs / 1000} s:\n${stderr}`);
}

function spawnKeystone(stateDir: string, settings: string[], url: string): Promise<ChildProcess> {
  const answers = async () => {
    try {
      return (await fetch(`${url}/v3`, { signal: AbortSignal.timeout(1000) })).status === 200;
    } catch {
      return false; // not listening yet
    }
  };
  return spawnKeystoneProcess({ argv: entryArgv("src/engine/identity/main.ts"), stateDir, settings, url, answers });
}
