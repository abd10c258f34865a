import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { loadConfig } from "../../src/engine/common/config/config.js";
import { layout } from "../../src/engine/common/paths.js";
import { bootstrap } from "../../src/engine/identity/bootstrap.js";
import { ensureTokenKeys, openKeystoneStore } from "../../src/engine/identity/keystone.js";
import { entryArgv } from "./runtime.js";

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

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once("error", rej);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => res(port));
    });
  });
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

  let child: ChildProcess | undefined;
  const start = async () => {
    child = await spawnKeystone(stateDir, settings, url);
  };
  const stopChild = async () => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null || c.pid === undefined) return;
    const exited = new Promise<void>((res) => c.once("exit", () => res()));
    process.kill(c.pid, "SIGTERM");
    const timer = setTimeout(() => c.pid !== undefined && c.exitCode === null && process.kill(c.pid, "SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
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

async function spawnKeystone(stateDir: string, settings: string[], url: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, entryArgv("src/engine/identity/main.ts"), {
    cwd: root,
    env: { ...process.env, POCKETSTACK_HOME: stateDir, POCKETSTACK_SET: settings.join(";") },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`keystone exited with ${child.exitCode} before answering:\n${stderr}`);
    try {
      const res = await fetch(`${url}/v3`, { signal: AbortSignal.timeout(1000) });
      if (res.status === 200) return child;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  if (child.pid !== undefined) process.kill(child.pid, "SIGKILL");
  throw new Error(`keystone did not answer GET ${url}/v3 within 30 s:\n${stderr}`);
}
