import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RUN_JS } from "../helpers/cli.js";
import { isolatedPorts } from "../helpers/ports.js";

/** Full-size runs (200 servers, 10,000 fuzz cases …) only when asked: CI keeps each file under ~90 s. */
export const FULL = process.env.POCKETSTACK_FULL === "1";

export interface Reply {
  status: number;
  headers: Headers;
  /** Parsed JSON when the body is JSON, else the text. */
  // biome-ignore lint/suspicious/noExplicitAny: response documents are untyped JSON
  body: any;
  text: string;
}

export interface ReqOptions {
  token?: string;
  body?: unknown;
  /** Sent as is (not JSON-encoded): malformed bodies. */
  raw?: string;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

/** One HTTP request as a user script would make it; never throws on a status. */
export async function req(method: string, url: string, opts: ReqOptions = {}): Promise<Reply> {
  const headers: Record<string, string> = { accept: "application/json", ...(opts.headers ?? {}) };
  if (opts.token) headers["x-auth-token"] = opts.token;
  let body: string | undefined;
  if (opts.raw !== undefined) body = opts.raw;
  else if (opts.body !== undefined) body = JSON.stringify(opts.body);
  if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === "content-type"))
    headers["content-type"] = "application/json";
  const res = await fetch(url, { method, headers, body, signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000) });
  const text = await res.text();
  let parsed: unknown = text;
  if ((res.headers.get("content-type") ?? "").includes("json") && text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface Cloud {
  dir: string;
  env: NodeJS.ProcessEnv;
  adminPassword: string;
  urls: { identity: string; image: string; placement: string; compute: string };
  /** A fresh project-scoped token (POST /v3/auth/tokens). */
  token(user: string, password: string, project: string): Promise<string>;
  adminToken(): Promise<string>;
  /** The built `os` CLI against this cloud (admin profile, this state dir). */
  os(args: string[], timeoutMs?: number): Promise<CliResult>;
  /** supervisor.json as `os cloud status` reads it. */
  units(): Array<{ name: string; pid: number | null; state: string; restarts: number }>;
  supervisorPid(): number;
  /** `os cloud up` again on the same state dir with the same settings (after a crash). */
  up(): Promise<CliResult>;
  down(): Promise<void>;
}

export function runOs(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 120_000): Promise<CliResult> {
  return new Promise((resolve) => {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("OS_")));
    execFile(process.execPath, [RUN_JS, ...args], { env: { ...clean, ...env }, timeout: timeoutMs }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

export async function passwordToken(identity: string, user: string, password: string, project: string): Promise<string> {
  const r = await req("POST", `${identity}/auth/tokens`, {
    body: {
      auth: {
        identity: { methods: ["password"], password: { user: { name: user, domain: { id: "default" }, password } } },
        scope: { project: { name: project, domain: { id: "default" } } },
      },
    },
  });
  if (r.status !== 201) throw new Error(`token for ${user}: ${r.status} ${r.text}`);
  return r.headers.get("x-subject-token") as string;
}

/** `os cloud up --driver fake` in a temp state dir, every port OS-assigned, plus the given `--set`s. */
export async function upCloud(name: string, sets: string[] = [], computes = 1): Promise<Cloud> {
  const dir = mkdtempSync(join(tmpdir(), `pocketstack-rel-${name}-`));
  const env = { POCKETSTACK_HOME: dir, HOME: dir };
  const all = [...(await isolatedPorts()), ...sets];
  const upArgs = [
    "cloud",
    "up",
    "--state-dir",
    dir,
    "--driver",
    "fake",
    "--computes",
    String(computes),
    ...all.flatMap((s) => ["--set", s]),
  ];
  const up = await runOs(upArgs, env, 180_000);
  const down = async () => {
    await runOs(["cloud", "down", "--state-dir", dir], env, 90_000);
    rmSync(dir, { recursive: true, force: true });
  };
  if (up.code !== 0) {
    await down();
    throw new Error(`os cloud up failed (${up.code}):\n${up.stdout}\n${up.stderr}`);
  }
  const clouds = readFileSync(join(dir, "clouds.yaml"), "utf8");
  const adminPassword = /password: (\S+)/.exec(clouds)?.[1] ?? "";
  const identity = /auth_url: (\S+)/.exec(clouds)?.[1] ?? "";
  const token = (user: string, password: string, project: string) => passwordToken(identity, user, password, project);
  const auth = await req("POST", `${identity}/auth/tokens`, {
    body: {
      auth: {
        identity: { methods: ["password"], password: { user: { name: "admin", domain: { id: "default" }, password: adminPassword } } },
        scope: { project: { name: "admin", domain: { id: "default" } } },
      },
    },
  });
  const catalog = auth.body.token.catalog as Array<{ type: string; endpoints: Array<{ interface: string; url: string }> }>;
  const url = (type: string) => catalog.find((s) => s.type === type)?.endpoints.find((e) => e.interface === "public")?.url ?? "";
  const cliEnv = { ...env, OS_CLOUD: "pocketstack", OS_CLIENT_CONFIG_FILE: join(dir, "clouds.yaml") };
  const supervisorJson = () => JSON.parse(readFileSync(join(dir, "run", "supervisor.json"), "utf8"));
  return {
    dir,
    env: cliEnv,
    adminPassword,
    urls: { identity, image: url("image"), placement: url("placement"), compute: url("compute") },
    token,
    adminToken: () => token("admin", adminPassword, "admin"),
    os: (args, timeoutMs) => runOs(args, cliEnv, timeoutMs),
    units: () => supervisorJson().units,
    supervisorPid: () => supervisorJson().pid,
    up: () => runOs(upArgs, env, 180_000),
    down,
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Poll until `check` returns a value (not undefined) or the time is up. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000, everyMs = 250): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < until) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    await sleep(everyMs);
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
}

/** VmRSS of a process in kB, from /proc (undefined when it is gone). */
export function rssKb(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** A running process (a zombie left for a container's init to reap counts as dead). */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return !/^\d+ \(.*\) [ZX]/.test(stat);
  } catch {
    return false;
  }
}
