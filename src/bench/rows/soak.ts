import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type BenchRow, recordMetric } from "../row.js";
import { startNovaBenchCloud } from "./nova-common.js";
import { percentile, runSoak } from "./soak-load.js";

// The soak row: 8 clients mixing token, image, placement and server operations against one cloud for
// POCKETSTACK_SOAK_MINUTES (default 10), every service's memory sampled from /proc. Latencies of every
// operation feed the table (its p99 is the figure to watch); memory growth after warm-up — resident, and
// what the service holds after a full collection — are metrics held to < 10 % per service.

const ROOMY = [
  "compute.resource_provider_vcpus=1024",
  "compute.resource_provider_memory_mb=1048576",
  "compute.resource_provider_disk_gb=100000",
];

export const soakRow: BenchRow = {
  name: "soak.mixed_8_clients",
  async run() {
    const minutes = Number(process.env.POCKETSTACK_SOAK_MINUTES ?? 10);
    const cloud = await startNovaBenchCloud(ROOMY);
    try {
      const clouds = readFileSync(join(cloud.dir, "clouds.yaml"), "utf8");
      const result = await runSoak(
        {
          identity: await cloud.session.endpointFor("identity"),
          image: await cloud.session.endpointFor("image"),
          placement: await cloud.session.endpointFor("placement"),
          compute: await cloud.session.endpointFor("compute"),
          adminPassword: /password: (\S+)/.exec(clouds)?.[1] ?? "",
          units: () => JSON.parse(readFileSync(join(cloud.dir, "run", "supervisor.json"), "utf8")).units,
          runDir: join(cloud.dir, "run"),
        },
        { clients: 8, durationMs: minutes * 60_000 },
      );
      if (result.errors.length) process.stderr.write(`  soak errors (${result.errors.length}): ${result.errors.slice(0, 3).join(" | ")}\n`);
      recordMetric({ row: "soak.mixed_8_clients", name: "failed operations", value: result.errors.length, unit: "ops", max: 0 });
      for (const [kind, xs] of Object.entries(result.latencies))
        recordMetric({ row: "soak.mixed_8_clients", name: `p99 ${kind}`, value: percentile(xs, 99), unit: "ms" });
      for (const m of result.memory)
        recordMetric({
          row: "soak.mixed_8_clients",
          name: `rss growth ${m.unit.split("#")[0]}`,
          value: Math.round(m.growth * 1000) / 10,
          unit: "%",
          max: 10,
        });
      for (const m of result.memory)
        recordMetric({
          row: "soak.mixed_8_clients",
          name: `live memory growth ${m.unit.split("#")[0]}`,
          value: Math.round(m.liveGrowth * 1000) / 10,
          unit: "% (JS heap + external after a full GC)",
          max: 10,
        });
      return Object.values(result.latencies).flat();
    } finally {
      await cloud.close();
    }
  },
};
