import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type KeystoneHandle, freePort, startKeystone } from "../helpers/keystone.js";
import { cliArgv, entryArgv } from "../helpers/runtime.js";

const ROOT = resolve(import.meta.dirname, "../..");

export interface PlacementCloud {
  keystone: KeystoneHandle;
  /** http://127.0.0.1:<port>, registered in the catalog as the placement endpoint. */
  placementUrl: string;
  /** OS_* variables for the admin user (both our CLI and the real openstack client read them). */
  env: NodeJS.ProcessEnv;
  /** An admin token, for direct HTTP checks. */
  token: string;
  /** A placement process on its own state dir with keystone auth; stop() kills it by pid. */
  startPlacement(extra?: string[]): Promise<{ url: string; child: ChildProcess; stop(): Promise<void> }>;
  stop(): Promise<void>;
}

async function waitForUrl(url: string, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`placement exited with ${child.exitCode}:\n${stderr()}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`placement did not answer ${url} within 30 s:\n${stderr()}`);
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  process.kill(child.pid, "SIGTERM");
  const timer = setTimeout(() => child.exitCode === null && child.pid !== undefined && process.kill(child.pid, "SIGKILL"), 5000);
  await exited;
  clearTimeout(timer);
}

/**
 * A real keystone and a real placement-api process (keystone auth, authtoken validating against that
 * keystone), with placement in the catalog: what `os cloud up` would give, minus nova.
 */
export async function startPlacementCloud(): Promise<PlacementCloud> {
  const keystone = await startKeystone();
  const dirs: string[] = [];
  const children: Array<{ stop(): Promise<void> }> = [];
  const password = keystone.adminPassword;
  const startPlacement = async (extra: string[] = []) => {
    const dir = mkdtempSync(join(tmpdir(), "pocketstack-placement-"));
    dirs.push(dir);
    const port = await freePort();
    const settings = [
      `api.placement_port=${port}`,
      "api.auth_strategy=keystone",
      "DEFAULT.my_ip=127.0.0.1",
      "trace.enabled=false",
      `keystone_authtoken.auth_url=${keystone.url}/v3`,
      "keystone_authtoken.username=admin",
      `keystone_authtoken.password=${password}`,
      "keystone_authtoken.project_name=admin",
      ...extra,
    ];
    const child = spawn(process.execPath, entryArgv("src/engine/placement/main.ts"), {
      cwd: ROOT,
      env: { ...process.env, POCKETSTACK_HOME: dir, POCKETSTACK_SET: settings.join(";") },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let err = "";
    child.stderr?.on("data", (d: Buffer) => {
      err = (err + d.toString()).slice(-4000);
    });
    const url = `http://127.0.0.1:${port}`;
    try {
      await waitForUrl(`${url}/`, child, () => err);
    } catch (e) {
      await kill(child);
      throw e;
    }
    const handle = { url, child, stop: () => kill(child) };
    children.push(handle);
    return handle;
  };

  const placement = await startPlacement();
  // Admin token, then the placement service and its endpoints in the catalog.
  const auth = await fetch(`${keystone.url}/v3/auth/tokens`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      auth: {
        identity: { methods: ["password"], password: { user: { name: "admin", domain: { id: "default" }, password } } },
        scope: { project: { name: "admin", domain: { id: "default" } } },
      },
    }),
  });
  if (auth.status !== 201) throw new Error(`admin token: ${auth.status} ${await auth.text()}`);
  const token = auth.headers.get("x-subject-token") as string;
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${keystone.url}/v3/${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-auth-token": token },
      body: JSON.stringify(body),
    });
    if (res.status !== 201) throw new Error(`POST ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as Record<string, Record<string, string>>;
  };
  const service = (await post("services", { service: { type: "placement", name: "placement", enabled: true } })).service as Record<
    string,
    string
  >;
  for (const iface of ["public", "internal", "admin"])
    await post("endpoints", { endpoint: { service_id: service.id, interface: iface, region_id: "RegionOne", url: placement.url } });

  const cliHome = mkdtempSync(join(tmpdir(), "pocketstack-cli-home-"));
  dirs.push(cliHome);
  const env: NodeJS.ProcessEnv = {
    OS_AUTH_URL: `${keystone.url}/v3`,
    OS_USERNAME: "admin",
    OS_PASSWORD: password,
    OS_PROJECT_NAME: "admin",
    OS_USER_DOMAIN_NAME: "Default",
    OS_PROJECT_DOMAIN_NAME: "Default",
    OS_REGION_NAME: "RegionOne",
    OS_IDENTITY_API_VERSION: "3",
    OS_INTERFACE: "public",
    POCKETSTACK_HOME: cliHome,
    HOME: cliHome,
  };
  return {
    keystone,
    placementUrl: placement.url,
    env,
    token,
    startPlacement,
    async stop() {
      for (const c of children) await c.stop();
      await keystone.stop();
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    },
  };
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((done) => {
    // Only the variables given: a developer's own OS_* must not leak into the test.
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("OS_")));
    execFile(file, args, { cwd: ROOT, env: { ...clean, ...env }, timeout: 120_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
      done({ code, stdout, stderr });
    });
  });
}

/** Our `os` CLI (dist/ when built, else the TypeScript sources: test/helpers/runtime.ts). */
export const os = (args: string[], env: NodeJS.ProcessEnv): Promise<Run> => run(process.execPath, cliArgv(...args), env);

/** The real python-openstackclient, when installed. */
export const openstack = (args: string[], env: NodeJS.ProcessEnv): Promise<Run> => run("openstack", args, env);

/** Header and rows of a cliff table, cells trimmed. */
export function parseTable(text: string): { header: string[]; rows: string[][] } {
  const lines = text.split("\n").filter((l) => l.startsWith("|"));
  const cells = lines.map((l) =>
    l
      .slice(1, -1)
      .split("|")
      .map((c) => c.trim()),
  );
  return { header: cells[0] ?? [], rows: cells.slice(1) };
}
