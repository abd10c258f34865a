import type { BenchRow } from "../row.js";
import { createBody, startNovaBenchCloud, verdict } from "./nova-common.js";

// Nova through its full path (nova-api → conductor → scheduler → Placement → compute → fake driver),
// in a cloud of its own brought up by the row, fake boot time 0, tracing off.

/** Fake nodes big enough for 1,000 m1.tiny servers on two nodes (Placement would refuse more than the inventory). */
const ROOMY = [
  "compute.resource_provider_vcpus=2048",
  "compute.resource_provider_memory_mb=1048576",
  "compute.resource_provider_disk_gb=100000",
];

/**
 * One `openstack server create --wait` at a time: POST /servers, then GET /servers/{id} until ACTIVE.
 * Target: p50 <= 60 ms.
 */
export const createRow: BenchRow = {
  name: "nova.server_create_to_active",
  async run(budget) {
    const cloud = await startNovaBenchCloud();
    try {
      const once = async (i: number) => {
        const t = performance.now();
        const r = await cloud.compute("POST", "/servers", createBody(cloud, `bench-${i}`));
        if (r.status !== 202) throw new Error(`POST /servers answered ${r.status}: ${JSON.stringify(r.body)}`);
        const id = r.body.server.id as string;
        await cloud.waitStatus(id, "ACTIVE");
        const took = performance.now() - t;
        const d = await cloud.compute("DELETE", `/servers/${id}`);
        if (d.status !== 204) throw new Error(`DELETE answered ${d.status}`);
        return took;
      };
      for (let i = 0; i < Math.min(budget.warmup, 5); i++) await once(-i);
      const out: number[] = [];
      const stopAt = performance.now() + Math.max(budget.maxMs, 10_000);
      while (out.length < Math.min(budget.maxSamples, 100) && performance.now() < stopAt) out.push(await once(out.length));
      const sorted = [...out].sort((a, b) => a - b);
      verdict("nova.server_create_to_active", "p50 ms", sorted[Math.floor(sorted.length / 2)] ?? Number.NaN, 60);
      return out;
    } finally {
      await cloud.close();
    }
  },
};

/** 100 servers created at once (100 concurrent POSTs) on 2 nodes, until every one is ACTIVE: one sample, the total. */
export const concurrentRow: BenchRow = {
  name: "nova.create_100_concurrent_2_nodes_total",
  async run() {
    const cloud = await startNovaBenchCloud(ROOMY);
    try {
      const t = performance.now();
      const posts = await Promise.all(
        Array.from({ length: 100 }, (_, i) => cloud.compute("POST", "/servers", createBody(cloud, `burst-${i}`))),
      );
      const bad = posts.find((p) => p.status !== 202);
      if (bad) throw new Error(`POST /servers answered ${bad.status}: ${JSON.stringify(bad.body)}`);
      await cloud.waitAllActive(100);
      const total = performance.now() - t;
      process.stderr.write(`nova.create_100_concurrent_2_nodes_total: ${(total / 1000).toFixed(2)} s\n`);
      return [total];
    } finally {
      await cloud.close();
    }
  },
};

/** `GET /servers/detail` with 1,000 ACTIVE servers in the project (one page: [api] max_limit is 1000). Target: p50 <= 50 ms. */
export const detailRow: BenchRow = {
  name: "nova.servers_detail_1000",
  async run(budget) {
    const cloud = await startNovaBenchCloud(ROOMY);
    try {
      // Ten multi-creates of 100 (min_count = max_count = 100), as `openstack server create --min 100 --max 100`.
      // One batch at a time: ten 100-instance scheduling requests at once only measure RPC timeouts on a busy laptop.
      for (let i = 0; i < 10; i++) {
        const r = await cloud.compute("POST", "/servers", createBody(cloud, `many${i}`, { min_count: 100, max_count: 100 }));
        if (r.status !== 202) throw new Error(`POST /servers answered ${r.status}: ${JSON.stringify(r.body)}`);
        await cloud.waitAllActive(100 * (i + 1));
      }
      const list = async () => {
        const r = await cloud.compute("GET", "/servers/detail");
        if (r.status !== 200 || r.body.servers.length !== 1000)
          throw new Error(`GET /servers/detail answered ${r.status} with ${r.body?.servers?.length} servers`);
      };
      for (let i = 0; i < Math.min(budget.warmup, 5); i++) await list();
      const out: number[] = [];
      const stopAt = performance.now() + Math.max(budget.maxMs, 5_000);
      while (out.length < Math.min(budget.maxSamples, 100) && performance.now() < stopAt) {
        const t = performance.now();
        await list();
        out.push(performance.now() - t);
      }
      const sorted = [...out].sort((a, b) => a - b);
      verdict("nova.servers_detail_1000", "p50 ms", sorted[Math.floor(sorted.length / 2)] ?? Number.NaN, 50);
      return out;
    } finally {
      await cloud.close();
    }
  },
};
