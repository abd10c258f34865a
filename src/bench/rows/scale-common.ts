import { cpSync, readFileSync } from "node:fs";
import { onBenchExit } from "../row.js";
import { type NovaBenchCloud, startNovaBenchCloud } from "./nova-common.js";

// The scale rows share one cloud: 100 fake compute nodes, 25 per nova-compute worker process, boot
// time 0, nodes roomy enough for 10 m1.tiny each and more. The first scale row to run starts it (and
// times that); the harness stops it after the last row.

export const SCALE_NODES = 100;
export const NODES_PER_PROCESS = 25;
export const SCALE_SERVERS = 1000;

export interface ScaleCloud {
  cloud: NovaBenchCloud;
  /** Milliseconds from `cloudUp` to every nova-compute service `up` and every node a Placement provider. */
  upMs: number;
}

let started: Promise<ScaleCloud> | undefined;

export function scaleCloud(): Promise<ScaleCloud> {
  started ??= (async () => {
    const t = performance.now();
    const cloud = await startNovaBenchCloud([
      `compute.computes=${SCALE_NODES}`,
      `compute.nodes_per_process=${NODES_PER_PROCESS}`,
      "compute.resource_provider_vcpus=64",
      "compute.resource_provider_memory_mb=65536",
      "compute.resource_provider_disk_gb=1000",
      // Heartbeats of 100 nodes every 10 s are the real load; the resource audit every 60 s too.
    ]);
    onBenchExit(async () => {
      // POCKETSTACK_BENCH_KEEP_LOGS=DIR keeps the services' logs of the run (the state dir goes away).
      const keep = process.env.POCKETSTACK_BENCH_KEEP_LOGS;
      if (keep) cpSync(`${cloud.dir}/logs`, keep, { recursive: true });
      await cloud.close();
    });
    await waitNodesUp(cloud, SCALE_NODES, 120_000);
    return { cloud, upMs: performance.now() - t };
  })();
  return started;
}

/** nova-compute services `up` (os-services) and compute resource providers (Placement), counted. */
export async function nodeCounts(cloud: NovaBenchCloud): Promise<{ servicesUp: number; providers: number; hypervisors: number }> {
  const services = await cloud.compute("GET", "/os-services?binary=nova-compute");
  const servicesUp = (services.body?.services ?? []).filter(
    (s: { state: string; status: string }) => s.state === "up" && s.status === "enabled",
  ).length;
  const rps = await cloud.session.request<{ resource_providers: unknown[] }>("placement", "GET", "/resource_providers");
  const hv = await cloud.compute("GET", "/os-hypervisors");
  return { servicesUp, providers: rps.body.resource_providers.length, hypervisors: hv.body?.hypervisors?.length ?? 0 };
}

export async function waitNodesUp(cloud: NovaBenchCloud, n: number, timeoutMs: number): Promise<void> {
  const until = performance.now() + timeoutMs;
  for (;;) {
    const c = await nodeCounts(cloud);
    if (c.servicesUp >= n && c.providers >= n && c.hypervisors >= n) return;
    if (performance.now() > until)
      throw new Error(`after ${timeoutMs} ms: ${c.servicesUp} services up, ${c.providers} providers, ${c.hypervisors} hypervisors of ${n}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Total resident memory of the cloud: the supervisor and every unit it runs (from /proc). */
export function cloudRssMiB(dir: string): { totalMiB: number; processes: number } {
  const state = JSON.parse(readFileSync(`${dir}/run/supervisor.json`, "utf8")) as { pid: number; units: Array<{ pid: number | null }> };
  let kb = 0;
  let processes = 0;
  for (const pid of [state.pid, ...state.units.map((u) => u.pid)]) {
    if (!pid) continue;
    try {
      const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
      if (m) {
        kb += Number(m[1]);
        processes++;
      }
    } catch {
      // exited in between
    }
  }
  return { totalMiB: kb / 1024, processes };
}

/** Run `fn` over `items`, at most `limit` at once. */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
