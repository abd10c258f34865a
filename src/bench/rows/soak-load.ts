import { readFileSync } from "node:fs";
import { type MemoryReport, memoryReportFile } from "../../engine/common/memory-report.js";

// The soak: 8 clients mixing token, image, placement and server operations against one running cloud
// for a bounded time, while every service's resident memory is sampled from /proc, and what each holds
// after a full garbage collection is asked for (kill -USR2) once warm-up ends and again at the end.
// Shared by the bench row (10 minutes) and the reliability test (45 s in CI).

export interface SoakTarget {
  identity: string;
  image: string;
  placement: string;
  compute: string;
  adminPassword: string;
  /** The cloud's units right now (supervisor.json). */
  units(): Array<{ name: string; pid: number | null }>;
  /** The cloud's run/ folder, where services write their memory reports. */
  runDir: string;
}

export interface SoakOptions {
  clients: number;
  durationMs: number;
  /** Part of the run before memory counts (caches, JIT, pools fill up). */
  warmupFraction?: number;
  sampleEveryMs?: number;
}

export interface SoakResult {
  ops: number;
  errors: string[];
  /** Latencies per operation kind, ms. */
  latencies: Record<string, number[]>;
  /**
   * Per unit: median RSS (kB) just after warm-up and over the last tenth, and the growth between them;
   * and the memory it holds after a full collection (JS heap + external, kB) at those two points.
   */
  memory: Array<{
    unit: string;
    afterWarmupKb: number;
    endKb: number;
    growth: number;
    liveAfterWarmupKb: number;
    liveEndKb: number;
    liveGrowth: number;
  }>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * What each unit holds after a full collection, by `name#pid`: signal them all, then wait for each
 * report newer than the signal. A unit that does not answer in time is left out (and the caller sees
 * it missing).
 */
async function liveMemory(t: SoakTarget): Promise<Map<string, number>> {
  const asked = Date.now();
  const units = t.units().filter((u): u is { name: string; pid: number } => !!u.pid);
  for (const u of units) {
    try {
      process.kill(u.pid, "SIGUSR2");
    } catch {}
  }
  const out = new Map<string, number>();
  const deadline = Date.now() + 10_000;
  while (out.size < units.length && Date.now() < deadline) {
    for (const u of units) {
      const key = `${u.name}#${u.pid}`;
      if (out.has(key)) continue;
      try {
        const r = JSON.parse(readFileSync(memoryReportFile(t.runDir, u.pid), "utf8")) as MemoryReport;
        if (r.at >= asked && r.collected) out.set(key, Math.round((r.heapUsed + r.external) / 1024));
      } catch {}
    }
    if (out.size < units.length) await sleep(50);
  }
  return out;
}

function rssKb(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s[Math.floor((s.length - 1) / 2)] as number) : 0;
};

export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] as number) : 0;
}

interface Reply {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: response documents are untyped JSON
  body: any;
  headers: Headers;
}

async function call(
  method: string,
  url: string,
  token: string | undefined,
  body?: unknown,
  extra: Record<string, string> = {},
): Promise<Reply> {
  const headers: Record<string, string> = { accept: "application/json", ...extra };
  if (token) headers["x-auth-token"] = token;
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(url, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(60_000),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

const MV = { "openstack-api-version": "compute 2.79", "x-openstack-nova-api-version": "2.79" };
const PMV = { "openstack-api-version": "placement 1.39" };

export async function runSoak(t: SoakTarget, opts: SoakOptions): Promise<SoakResult> {
  const authBody = {
    auth: {
      identity: { methods: ["password"], password: { user: { name: "admin", domain: { id: "default" }, password: t.adminPassword } } },
      scope: { project: { name: "admin", domain: { id: "default" } } },
    },
  };
  const issue = async () => {
    const r = await call("POST", `${t.identity}/auth/tokens`, undefined, authBody);
    if (r.status !== 201) throw new Error(`token: ${r.status}`);
    return r.headers.get("x-subject-token") as string;
  };
  const token = await issue();
  const images = await call("GET", `${t.image}/v2/images?name=cirros`, token);
  const imageId = images.body.images[0].id as string;

  const latencies: Record<string, number[]> = { token: [], image: [], placement: [], server: [] };
  const errors: string[] = [];
  let ops = 0;
  const start = Date.now();
  const stopAt = start + opts.durationMs;
  const expect = (what: string, r: Reply, ok: number[]) => {
    if (!ok.includes(r.status)) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
    return r;
  };

  const OPS: Record<string, () => Promise<void>> = {
    token: async () => {
      const t2 = await issue();
      expect("validate", await call("GET", `${t.identity}/auth/tokens`, token, undefined, { "x-subject-token": t2 }), [200]);
    },
    image: async () => {
      const made = expect(
        "image create",
        await call("POST", `${t.image}/v2/images`, token, { name: "soak", disk_format: "raw", container_format: "bare" }),
        [201],
      );
      expect("image show", await call("GET", `${t.image}/v2/images/${made.body.id}`, token), [200]);
      expect("image delete", await call("DELETE", `${t.image}/v2/images/${made.body.id}`, token), [204]);
    },
    placement: async () => {
      expect(
        "candidates",
        await call("GET", `${t.placement}/allocation_candidates?resources=VCPU:1,MEMORY_MB:64`, token, undefined, PMV),
        [200],
      );
      expect("providers", await call("GET", `${t.placement}/resource_providers`, token, undefined, PMV), [200]);
    },
    server: async () => {
      const made = expect(
        "server create",
        await call(
          "POST",
          `${t.compute}/servers`,
          token,
          { server: { name: "soak", imageRef: imageId, flavorRef: "1", networks: "none" } },
          MV,
        ),
        [202],
      );
      const id = made.body.server.id as string;
      for (let i = 0; i < 300; i++) {
        const s = expect("server show", await call("GET", `${t.compute}/servers/${id}`, token, undefined, MV), [200]);
        if (s.body.server.status === "ACTIVE") break;
        if (s.body.server.status === "ERROR") throw new Error(`server ${id} ERROR: ${JSON.stringify(s.body.server.fault)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      expect("server delete", await call("DELETE", `${t.compute}/servers/${id}`, token, undefined, MV), [204]);
      for (let i = 0; i < 300; i++) {
        const s = await call("GET", `${t.compute}/servers/${id}`, token, undefined, MV);
        if (s.status === 404) break;
        await new Promise((r) => setTimeout(r, 100));
      }
    },
  };
  const kinds = Object.keys(OPS);

  const client = async (n: number) => {
    for (let i = n; Date.now() < stopAt; i++) {
      const kind = kinds[i % kinds.length] as string;
      const t0 = performance.now();
      try {
        await (OPS[kind] as () => Promise<void>)();
        latencies[kind]?.push(performance.now() - t0);
        ops++;
      } catch (e) {
        if (errors.length < 50) errors.push(`${kind}: ${(e as Error).message}`);
      }
    }
  };

  // Memory samples per unit, by pid (a restarted unit would show up as a new pid: not flat).
  const samples = new Map<string, Array<{ at: number; kb: number }>>();
  const sampler = setInterval(() => {
    for (const u of t.units()) {
      if (!u.pid) continue;
      const kb = rssKb(u.pid);
      if (kb === undefined) continue;
      const key = `${u.name}#${u.pid}`;
      if (!samples.has(key)) samples.set(key, []);
      samples.get(key)?.push({ at: Date.now() - start, kb });
    }
  }, opts.sampleEveryMs ?? 1000);
  const warm = opts.durationMs * (opts.warmupFraction ?? 0.3);
  let liveAfterWarmup: Promise<Map<string, number>> | undefined;
  const warmTimer = setTimeout(() => {
    liveAfterWarmup = liveMemory(t);
  }, warm);
  try {
    await Promise.all(Array.from({ length: opts.clients }, (_, n) => client(n)));
  } finally {
    clearInterval(sampler);
    clearTimeout(warmTimer);
  }
  const liveA = (await liveAfterWarmup) ?? new Map<string, number>();
  const liveE = await liveMemory(t);

  const memory = [...samples].map(([key, xs]) => {
    const afterWarmup = xs.filter((s) => s.at >= warm && s.at < warm + opts.durationMs * 0.15).map((s) => s.kb);
    const end = xs.filter((s) => s.at >= opts.durationMs * 0.9).map((s) => s.kb);
    const a = median(afterWarmup);
    const e = median(end);
    const la = liveA.get(key) ?? 0;
    const le = liveE.get(key) ?? 0;
    return {
      unit: key,
      afterWarmupKb: a,
      endKb: e,
      growth: a ? e / a - 1 : 0,
      liveAfterWarmupKb: la,
      liveEndKb: le,
      liveGrowth: la && le ? le / la - 1 : Number.NaN,
    };
  });
  return { ops, errors, latencies, memory };
}
