import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadConfig } from "../../engine/common/config/config.js";
import { layout } from "../../engine/common/paths.js";
import { bootstrap } from "../../engine/identity/bootstrap.js";
import { ensureTokenKeys, openKeystoneStore } from "../../engine/identity/keystone.js";
import { type Budget, sample } from "../row.js";
import { freePort } from "../../engine/common/free-ports.js";

/** In-flight requests for the throughput rows: enough to keep one keystone process busy. */
export const CONCURRENCY = 8;

export interface Keystone {
  port: number;
  pid: number;
  stateDir: string;
  adminPassword: string;
  /** The settings the process runs with (section.option=value). */
  settings: string[];
}

const fromTs = import.meta.url.endsWith(".ts");
const engineFile = (rel: string) => fileURLToPath(new URL(`../../engine/${rel}.${fromTs ? "ts" : "js"}`, import.meta.url));
export const nodeArgs = (file: string) => (fromTs ? ["--import", "tsx", file] : [file]);

let shared: Promise<Keystone> | undefined;
const children: ChildProcess[] = [];
const dirs: string[] = [];
// The harness ends with process.exit(): take the keystone process and its state dir along.
process.once("exit", () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/**
 * One keystone process for all keystone rows: a temp state dir, bootstrapped in-process with the
 * default configuration (Fernet tokens, bcrypt at its default cost), started as `os cloud up` starts
 * it and ready when it says so over the IPC channel.
 */
export function keystone(): Promise<Keystone> {
  shared ??= start();
  return shared;
}

async function start(): Promise<Keystone> {
  const stateDir = mkdtempSync(join(tmpdir(), "pocketstack-bench-keystone-"));
  dirs.push(stateDir);
  const port = await freePort();
  const adminPassword = "bench-admin-pw";
  const settings = [`api.keystone_port=${port}`, "DEFAULT.my_ip=127.0.0.1", "trace.enabled=false"];
  const url = `http://127.0.0.1:${port}/v3`;
  const config = loadConfig(undefined, settings);
  const l = layout(stateDir);
  ensureTokenKeys(config, l);
  const store = openKeystoneStore(config, l);
  try {
    bootstrap(store, { password: adminPassword, regionId: "RegionOne", publicUrl: url, internalUrl: url, adminUrl: url });
  } finally {
    store.close();
  }
  const child = spawn(process.execPath, nodeArgs(engineFile("identity/main")), {
    env: { ...process.env, POCKETSTACK_HOME: stateDir, POCKETSTACK_SET: settings.join(";") },
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("keystone did not report ready within 30 s")), 30_000);
    child.once("exit", (code) => reject(new Error(`keystone exited (${code}) before it was ready`)));
    child.on("message", (m: { type?: string }) => {
      if (m?.type !== "ready") return;
      clearTimeout(timer);
      resolve();
    });
  });
  return { port, pid: child.pid as number, stateDir, adminPassword, settings };
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTP request over the given keep-alive agent. */
export function call(
  agent: Agent,
  port: number,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: unknown,
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      {
        host: "127.0.0.1",
        port,
        method,
        path,
        agent,
        headers: {
          accept: "application/json",
          ...headers,
          ...(payload ? { "content-type": "application/json", "content-length": Buffer.byteLength(payload) } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (d: Buffer) => chunks.push(d));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

export function expectStatus(r: Reply, want: number, what: string): Reply {
  if (r.status !== want) throw new Error(`${what}: expected ${want}, got ${r.status}: ${r.body.slice(0, 300)}`);
  return r;
}

export const passwordAuth = (password: string) => ({
  auth: {
    identity: { methods: ["password"], password: { user: { name: "admin", domain: { id: "default" }, password } } },
    scope: { project: { name: "admin", domain: { id: "default" } } },
  },
});

export const tokenAuth = (token: string) => ({
  auth: { identity: { methods: ["token"], token: { id: token } }, scope: { project: { name: "admin", domain: { id: "default" } } } },
});

/** An admin project token by password (the one the other rows validate or exchange). */
export async function adminToken(agent: Agent, k: Keystone): Promise<string> {
  const r = expectStatus(await call(agent, k.port, "POST", "/v3/auth/tokens", {}, passwordAuth(k.adminPassword)), 201, "password auth");
  return String(r.headers["x-subject-token"]);
}

/**
 * Throughput with `concurrency` requests in flight: each sample is the time between two consecutive
 * completions, so the harness's ops/s (samples / total time) is the throughput and its median is the
 * wall time per operation at that load, not one request's latency (the sequential rows give that).
 */
export async function sampleConcurrent(
  budget: Budget,
  concurrency: number,
  op: () => Promise<unknown>,
  afterWarmup: () => void = () => {},
): Promise<number[]> {
  const warmup = Math.min(budget.warmup, 300);
  for (let i = 0; i < warmup; i += concurrency) await Promise.all(Array.from({ length: concurrency }, op));
  afterWarmup();
  const out: number[] = [];
  const stopAt = performance.now() + budget.maxMs;
  let last = performance.now();
  const worker = async () => {
    while (out.length < budget.maxSamples && performance.now() < stopAt) {
      await op();
      const now = performance.now();
      out.push(now - last);
      last = now;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return out;
}

/**
 * CPU time (user + system, ms) a process has used so far, from /proc (Linux; undefined elsewhere).
 * Assumes the usual 100 clock ticks per second.
 */
export function cpuMs(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

/**
 * Prints a throughput target's verdict beside the table (the harness's targets compare to floors
 * only), with keystone's CPU per operation: on a shared machine the wall-clock rate depends on the
 * neighbours, the CPU cost much less.
 */
export function opsTarget(name: string, samples: number[], minOps: number, serverCpuMs?: number): void {
  const total = samples.reduce((a, b) => a + b, 0);
  const ops = total > 0 ? (samples.length * 1000) / total : 0;
  const cpu =
    serverCpuMs !== undefined && samples.length > 0
      ? ` (keystone CPU ${(serverCpuMs / samples.length).toFixed(3)} ms/op, ${((samples.length * 1000) / serverCpuMs).toFixed(0)} ops per CPU-second)`
      : "";
  process.stderr.write(`${ops >= minOps ? "ok  " : "MISS"} ${name}: ${ops.toFixed(0)} ops/s >= ${minOps} ops/s${cpu}\n`);
}

/** sampleConcurrent, also returning the keystone CPU time spent after the warm-up. */
export async function sampleConcurrentWithCpu(
  budget: Budget,
  pid: number,
  op: () => Promise<unknown>,
): Promise<{ samples: number[]; cpuMs?: number }> {
  let start: number | undefined;
  const samples = await sampleConcurrent(budget, CONCURRENCY, op, () => {
    start = cpuMs(pid);
  });
  const end = cpuMs(pid);
  return { samples, cpuMs: start !== undefined && end !== undefined ? end - start : undefined };
}

export function keepAliveAgent(): Agent {
  return new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
}

/** Run `fn` with the running bench keystone and a keep-alive agent of its own, destroyed afterwards. */
export async function withKeystone<T>(fn: (k: Keystone, agent: Agent) => Promise<T>): Promise<T> {
  const k = await keystone();
  const agent = keepAliveAgent();
  try {
    return await fn(k, agent);
  } finally {
    agent.destroy();
  }
}

/**
 * Time `op` one at a time, or CONCURRENCY at a time with keystone's CPU measured: then, when a target is
 * given, its throughput is held to `minOps` per second (the figure for that row).
 */
export async function sampleKeystone(
  budget: Budget,
  k: Keystone,
  concurrency: number,
  op: () => Promise<unknown>,
  target?: { name: string; minOps: number },
): Promise<number[]> {
  if (concurrency === 1) return sample(budget, op);
  const { samples, cpuMs } = await sampleConcurrentWithCpu(budget, k.pid, op);
  if (target) opsTarget(target.name, samples, target.minOps, cpuMs);
  return samples;
}
