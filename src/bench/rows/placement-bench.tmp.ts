import { createProviders, candidates, candidatesLimit50, allocationPut } from "/work/main/src/bench/rows/placement-perfload.ts";
import { summarize } from "/work/main/src/bench/stats.ts";
const budget = { warmup: 300, maxSamples: 20000, maxMs: Number(process.env.MAXMS ?? 3000) };
for (const r of [createProviders, candidates, candidatesLimit50, allocationPut]) {
  const s = summarize(r.name, await r.run(budget));
  console.log(r.name, "p50", s.median_ms.toFixed(2), "p95", s.p95_ms.toFixed(2), "n", s.samples);
}
process.exit(0);
