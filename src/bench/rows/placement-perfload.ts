import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type BenchRow, type Budget, recordMetric, sample } from "../row.js";
import { freePort } from "../../engine/common/free-ports.js";

/**
 * OpenStack's placement-perfload job, against one placement-api process (noauth2, its own SQLite):
 * 1,000 providers with VCPU 32 (ratio 16), MEMORY_MB 131072, DISK_GB 2000; then allocation
 * candidates with and without limit=50, and allocation PUTs.
 */
export const PROVIDERS = 1000;
const INVENTORY = {
  VCPU: { total: 32, allocation_ratio: 16.0 },
  MEMORY_MB: { total: 131072 },
  DISK_GB: { total: 2000 },
};
const CANDIDATES = "/allocation_candidates?resources=VCPU:1,MEMORY_MB:512,DISK_GB:10";
const CREATE_CONCURRENCY = 8;

interface Cloud {
  port: number;
  agent: Agent;
  providers: string[];
  /** Wall time of creating the providers with their inventories. */
  createMs: number;
  /** CPU time the placement process spent on that. */
  createCpuMs: number;
}

/**
 * CPU time (user + system, ms) of the placement process so far, from /proc (Linux, 100 ticks/s).
 * Wall times on a loaded laptop mostly measure waiting for a core; this is the work itself.
 */
function placementCpuMs(): number {
  if (child?.pid === undefined) return Number.NaN;
  try {
    const fields = readFileSync(`/proc/${child.pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

/** The placement entry point beside this file: compiled JS under dist/, TypeScript (via tsx) under src/. */
function placementCommand(): string[] {
  const fromTs = import.meta.url.endsWith(".ts");
  const main = fileURLToPath(new URL(`../../engine/placement/main.${fromTs ? "ts" : "js"}`, import.meta.url));
  return fromTs ? ["--import", "tsx", main] : [main];
}

function call(c: { port: number; agent: Agent }, method: string, path: string, body?: unknown): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      {
        host: "127.0.0.1",
        port: c.port,
        method,
        path,
        agent: c.agent,
        headers: {
          "x-auth-token": "admin",
          accept: "application/json",
          "openstack-api-version": "placement 1.39",
          ...(payload ? { "content-type": "application/json", "content-length": Buffer.byteLength(payload) } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (d: Buffer) => chunks.push(d));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

async function expectStatus(p: Promise<{ status: number; text: string }>, want: number, what: string): Promise<string> {
  const res = await p;
  if (res.status !== want) throw new Error(`${what}: HTTP ${res.status} ${res.text.slice(0, 300)}`);
  return res.text;
}

let shared: Promise<Cloud> | undefined;
let child: ChildProcess | undefined;
let dir: string | undefined;

/** One placement process with the 1,000 providers, shared by the placement rows of a bench run. */
function cloud(): Promise<Cloud> {
  shared ??= (async () => {
    dir = mkdtempSync(join(tmpdir(), "bench-placement-"));
    const port = await freePort();
    child = spawn(process.execPath, placementCommand(), {
      env: {
        ...process.env,
        POCKETSTACK_HOME: dir,
        POCKETSTACK_SET: `api.placement_port=${port};api.auth_strategy=noauth2;trace.enabled=false;DEFAULT.my_ip=127.0.0.1`,
      },
      stdio: ["ignore", "ignore", "inherit"],
    });
    child.unref();
    process.once("exit", stopPlacement);
    const agent = new Agent({ keepAlive: true, maxSockets: CREATE_CONCURRENCY });
    const c = { port, agent };
    for (let deadline = Date.now() + 30_000; ; ) {
      try {
        if ((await call(c, "GET", "/")).status === 200) break;
      } catch {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error("placement did not start for the bench");
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const providers: string[] = [];
    let next = 0;
    const t0 = performance.now();
    const cpu0 = placementCpuMs();
    const lane = async () => {
      while (next < PROVIDERS) {
        const i = next++;
        const uuid = randomUUID();
        await expectStatus(call(c, "POST", "/resource_providers", { name: `perfload-${i}`, uuid }), 200, "create provider");
        await expectStatus(
          call(c, "PUT", `/resource_providers/${uuid}/inventories`, { resource_provider_generation: 0, inventories: INVENTORY }),
          200,
          "set inventory",
        );
        providers.push(uuid);
      }
    };
    await Promise.all(Array.from({ length: CREATE_CONCURRENCY }, lane));
    return { port, agent, providers, createMs: performance.now() - t0, createCpuMs: placementCpuMs() - cpu0 };
  })();
  return shared;
}

function stopPlacement(): void {
  if (child?.pid !== undefined && child.exitCode === null) process.kill(child.pid, "SIGTERM");
  if (dir) rmSync(dir, { recursive: true, force: true });
}

/** Candidate queries are slow next to the other rows: cap their budget so a run stays short. */
const capped = (b: Budget, warmup: number): Budget => ({
  ...b,
  warmup: Math.min(b.warmup, warmup),
  maxSamples: Math.min(b.maxSamples, 2000),
});

/** Target: ≤ 3 s for the 1,000 providers with inventories (one sample: the whole load). */
export const createProviders: BenchRow = {
  name: "placement.perfload_create_1000_providers",
  target: { maxMedianMs: 3000 },
  async run() {
    const c = await cloud();
    recordMetric({ row: this.name, name: "placement-api CPU for the 2,000 requests", value: c.createCpuMs, unit: "ms" });
    return [c.createMs];
  },
};

/** p50 of the samples, for metrics. */
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

/** Target: p50 ≤ 10 ms for all 1,000 candidates. */
export const candidates: BenchRow = {
  name: "placement.allocation_candidates_1000",
  target: { maxMedianMs: 10 },
  async run(budget) {
    const c = await cloud();
    const query = async () => {
      const body = await expectStatus(call(c, "GET", CANDIDATES), 200, "allocation candidates");
      if (body.length < 1000) throw new Error("allocation candidates: unexpectedly short answer");
    };
    const cpu0 = placementCpuMs();
    const samples = await sample(capped(budget, 20), query);
    recordMetric({
      row: this.name,
      name: "placement-api CPU per query",
      value: (placementCpuMs() - cpu0) / (samples.length + Math.min(budget.warmup, 20)),
      unit: "ms",
    });
    // The scheduler's pattern: every query follows a claim, so nothing read before can be reused.
    const afterClaim: number[] = [];
    const consumers: string[] = [];
    for (let i = 0; i < 20; i++) {
      const consumer = randomUUID();
      consumers.push(consumer);
      await expectStatus(call(c, "PUT", `/allocations/${consumer}`, claimBody(c.providers[i] as string)), 204, "allocation PUT");
      const t = performance.now();
      await query();
      afterClaim.push(performance.now() - t);
    }
    for (const consumer of consumers) await expectStatus(call(c, "DELETE", `/allocations/${consumer}`), 204, "allocation DELETE");
    recordMetric({ row: this.name, name: "p50 of a query right after a claim", value: median(afterClaim), unit: "ms" });
    return samples;
  },
};

/** A new consumer's allocation as nova's scheduler claims it (1.39 body). */
function claimBody(rp: string) {
  return {
    allocations: { [rp]: { resources: { VCPU: 1, MEMORY_MB: 512, DISK_GB: 10 } } },
    project_id: "bench",
    user_id: "bench",
    consumer_generation: null,
    consumer_type: "INSTANCE",
  };
}

/** Target: p50 ≤ 3 ms with limit=50. */
export const candidatesLimit50: BenchRow = {
  name: "placement.allocation_candidates_limit_50",
  target: { maxMedianMs: 3 },
  async run(budget) {
    const c = await cloud();
    return sample(capped(budget, 50), () => expectStatus(call(c, "GET", `${CANDIDATES}&limit=50`), 200, "allocation candidates limit=50"));
  },
};

/** Target: p50 ≤ 2 ms for a new consumer's allocation on one provider. */
export const allocationPut: BenchRow = {
  name: "placement.allocation_put",
  target: { maxMedianMs: 2 },
  async run(budget) {
    const c = await cloud();
    let i = 0;
    return sample(capped(budget, 50), () => {
      const rp = c.providers[i++ % c.providers.length] as string;
      return expectStatus(call(c, "PUT", `/allocations/${randomUUID()}`, claimBody(rp)), 204, "allocation PUT");
    });
  },
};
