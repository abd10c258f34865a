import { type ChildProcess, fork } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { Agent, type IncomingMessage, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";

/** Whether we run from dist/ (compiled .js) or from src/ under tsx (.ts). */
const ext = import.meta.url.endsWith(".ts") ? ".ts" : ".js";
export const MiB = 1024 * 1024;
export const TOKEN = "bench:bench";

export interface GlanceUnderTest {
  port: number;
  /** The state dir: the store is `<dir>/images`; the bench's own files go beside it, on the same disk. */
  dir: string;
  agent: Agent;
  stop(): Promise<void>;
}

/**
 * A glance-api process as `os cloud up` runs it (its own state dir, port 0), with noauth2 so the rows
 * measure the image API and its store, not Keystone.
 */
export async function startGlance(): Promise<GlanceUnderTest> {
  const dir = mkdtempSync(join(tmpdir(), "pocketstack-bench-glance-"));
  const main = fileURLToPath(new URL(`../../engine/image/main${ext}`, import.meta.url));
  const child: ChildProcess = fork(main, [], {
    execArgv: ext === ".ts" ? ["--import", "tsx"] : [],
    env: {
      ...process.env,
      POCKETSTACK_HOME: dir,
      POCKETSTACK_SET: "api.glance_port=0;api.auth_strategy=noauth2;trace.enabled=false",
    },
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const stop = async () => {
    agent.destroy();
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGKILL");
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("glance did not report ready within 30 s")), 30_000);
      child.on("message", (m: { type?: string; port?: number }) => {
        if (m.type === "ready" && m.port) {
          clearTimeout(timer);
          resolve(m.port);
        }
      });
      child.once("exit", (code) => reject(new Error(`glance exited (${code}) before it was ready`)));
    });
    return { port, dir, agent, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** One request; `body` is JSON, a stream piped in, or nothing; `sink` receives a streamed answer. */
export function call(
  g: GlanceUnderTest,
  method: string,
  path: string,
  opts: { json?: unknown; stream?: Readable; contentType?: string; sink?: Writable } = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { "x-auth-token": TOKEN };
    const payload = opts.json === undefined ? undefined : JSON.stringify(opts.json);
    if (payload !== undefined) headers["content-type"] = opts.contentType ?? "application/json";
    if (opts.stream) headers["content-type"] = "application/octet-stream";
    const req = request({ host: "127.0.0.1", port: g.port, method, path, headers, agent: g.agent }, async (res: IncomingMessage) => {
      try {
        if (opts.sink && res.statusCode === 200) {
          await pipeline(res, opts.sink);
          return resolve({ status: 200, body: "" });
        }
        const chunks: Buffer[] = [];
        for await (const c of res) chunks.push(c as Buffer);
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") });
      } catch (err) {
        reject(err);
      }
    });
    req.on("error", reject);
    if (opts.stream) opts.stream.on("error", reject).pipe(req);
    else req.end(payload);
  });
}

export async function expectStatus<T extends { status: number; body: string }>(p: Promise<T>, status: number, what: string): Promise<T> {
  const r = await p;
  if (r.status !== status) throw new Error(`${what}: expected ${status}, got ${r.status} ${r.body.slice(0, 200)}`);
  return r;
}

/** A file of `mib` MiB of random bytes under `dir` (written by 1 MiB blocks, never held whole). */
export function writeRandomFile(dir: string, name: string, mib: number): string {
  const path = join(dir, name);
  const fd = openSync(path, "w");
  try {
    const block = randomBytes(MiB);
    for (let i = 0; i < mib; i++) {
      block.writeUInt32BE(i, 0);
      writeSync(fd, block);
    }
  } finally {
    closeSync(fd);
  }
  return path;
}

/**
 * Like row.ts's sample, with untimed work before and after each timed operation (make an image, delete it).
 * `minSamples` are taken even past `maxMs` (a median of one multi-second transfer says little).
 */
export async function sampleAround<T>(
  budget: { warmup: number; maxSamples: number; maxMs: number; minSamples?: number },
  before: () => Promise<T>,
  op: (state: T) => Promise<unknown>,
  after: (state: T) => Promise<unknown>,
): Promise<number[]> {
  const out: number[] = [];
  const stopAt = performance.now() + budget.maxMs;
  for (let i = 0; i < budget.warmup + budget.maxSamples; i++) {
    if (i >= budget.warmup && performance.now() >= stopAt && out.length >= Math.max(1, budget.minSamples ?? 1)) break;
    const state = await before();
    const t = performance.now();
    await op(state);
    const ms = performance.now() - t;
    await after(state);
    if (i >= budget.warmup) out.push(ms);
  }
  return out;
}

/** Throughput of a median time for `mib` MiB, printed beside the table (the table shows times). */
export function reportThroughput(name: string, mib: number, samples: number[]): void {
  const sorted = [...samples].sort((a, b) => a - b);
  const median = sorted[Math.floor((sorted.length - 1) / 2)] ?? Number.NaN;
  process.stderr.write(`     ${name}: ${((mib * 1000) / median).toFixed(0)} MiB/s (median ${median.toFixed(0)} ms for ${mib} MiB)\n`);
}
