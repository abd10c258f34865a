import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { percentile, runSoak } from "../../src/bench/rows/soak-load.js";
import { type Cloud, FULL, upCloud } from "./cloud.js";

// A short soak (45 s; 10 min with POCKETSTACK_FULL=1 — the bench row soak.mixed_8_clients is the full
// one): 8 clients mixing token, image, placement and server operations; no operation fails and no
// service's resident memory grows by 10 % or more after warm-up.
const DURATION_MS = FULL ? 600_000 : 45_000;
// A short run spends its first half warming up (V8 heaps and SQLite caches fill); a long one its first 30 %.
const WARMUP = FULL ? 0.3 : 0.5;

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
        { ...cloud.urls, adminPassword: cloud.adminPassword, units: () => cloud.units() },
        { clients: 8, durationMs: DURATION_MS, warmupFraction: WARMUP },
      );
      const p99 = Object.fromEntries(Object.entries(result.latencies).map(([k, xs]) => [k, Math.round(percentile(xs, 99))]));
      console.log(`soak: ${result.ops} ops, p99 ms ${JSON.stringify(p99)}`);
      console.log(
        `soak memory: ${result.memory.map((m) => `${m.unit.split("#")[0]} ${Math.round(m.afterWarmupKb / 1024)}→${Math.round(m.endKb / 1024)} MB`).join(", ")}`,
      );
      expect(result.errors).toEqual([]);
      expect(result.ops).toBeGreaterThan(50);
      for (const kind of ["token", "image", "placement", "server"]) expect(result.latencies[kind]?.length ?? 0, kind).toBeGreaterThan(0);
      // Every unit kept its pid the whole run (a crash and restart would show as a second entry).
      const names = result.memory.map((m) => m.unit.split("#")[0]);
      expect(new Set(names).size).toBe(names.length);
      for (const m of result.memory) expect(m.growth, `${m.unit}: ${m.afterWarmupKb} kB → ${m.endKb} kB`).toBeLessThan(0.1);
    },
    DURATION_MS + 120_000,
  );
});
