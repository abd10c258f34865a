import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { percentile, runSoak } from "../../src/bench/rows/soak-load.js";
import { type Cloud, FULL, upCloud } from "./cloud.js";

// A short soak (90 s; 10 min with POCKETSTACK_FULL=1 — the bench row soak.mixed_8_clients is the full
// one): 8 clients mixing token, image, placement and server operations; no operation fails and no
// service's memory grows by 10 % or more after warm-up.
const DURATION_MS = FULL ? 600_000 : 90_000;
// Warm-up: V8 heaps, SQLite caches and the bounded caches with a time window fill — the longest is the
// RPC servers' memory of recent messages (60 s, what a redelivered call may arrive within), so a short
// run warms up for 65 s; a long one for its first 30 %.
const WARMUP = FULL ? 0.3 : 65_000 / DURATION_MS;

let cloud: Cloud;

beforeAll(async () => {
  cloud = await upCloud(
    "soak",
    [
      "compute.resource_provider_vcpus=1024",
      "compute.resource_provider_memory_mb=1048576",
      "compute.resource_provider_disk_gb=100000",
      "quota.instances=-1",
      "quota.cores=-1",
      "quota.ram=-1",
    ],
    1,
  );
}, 240_000);

afterAll(async () => {
  await cloud?.down();
}, 120_000);

describe("soak", () => {
  it(
    `8 clients for ${DURATION_MS / 1000} s: no failed operation, memory of every service flat, p99 reported`,
    async () => {
      const result = await runSoak(
        { ...cloud.urls, adminPassword: cloud.adminPassword, units: () => cloud.units(), runDir: join(cloud.dir, "run") },
        { clients: 8, durationMs: DURATION_MS, warmupFraction: WARMUP },
      );
      const p99 = Object.fromEntries(Object.entries(result.latencies).map(([k, xs]) => [k, Math.round(percentile(xs, 99))]));
      console.log(`soak: ${result.ops} ops, p99 ms ${JSON.stringify(p99)}`);
      const mb = (kb: number) => (kb / 1024).toFixed(1);
      console.log(
        `soak memory (resident; after a full GC): ${result.memory
          .map((m) => `${m.unit.split("#")[0]} ${mb(m.afterWarmupKb)}→${mb(m.endKb)}; ${mb(m.liveAfterWarmupKb)}→${mb(m.liveEndKb)} MB`)
          .join(", ")}`,
      );
      expect(result.errors).toEqual([]);
      expect(result.ops).toBeGreaterThan(50);
      for (const kind of ["token", "image", "placement", "server"]) expect(result.latencies[kind]?.length ?? 0, kind).toBeGreaterThan(0);
      // Every unit kept its pid the whole run (a crash and restart would show as a second entry).
      const names = result.memory.map((m) => m.unit.split("#")[0]);
      expect(new Set(names).size).toBe(names.length);
      // What a service holds after a full collection must not grow (a leak shows here at once). Resident
      // memory follows the collector's schedule too: V8 lets the old generation grow for a minute
      // between full collections, longer than the short run lasts, so it is held to the bound over the
      // full 10-minute run, where every service goes through many collections.
      for (const m of result.memory)
        expect(m.liveGrowth, `${m.unit}: ${m.liveAfterWarmupKb} kB → ${m.liveEndKb} kB after a full GC`).toBeLessThan(0.1);
      if (FULL) for (const m of result.memory) expect(m.growth, `${m.unit}: ${m.afterWarmupKb} kB → ${m.endKb} kB`).toBeLessThan(0.1);
    },
    DURATION_MS + 120_000,
  );
});
