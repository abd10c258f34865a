import { type BenchRow, recordMetric } from "../row.js";
import { createBody } from "./nova-common.js";
import { NODES_PER_PROCESS, SCALE_NODES, SCALE_SERVERS, cloudRssMiB, mapLimit, nodeCounts, scaleCloud } from "./scale-common.js";

// 100 fake compute nodes on this machine (25 per worker process) and 1,000 servers across them, through
// the whole path (nova-api → conductor → scheduler → Placement → compute → fake driver, boot time 0).

const BATCH = 50;
const CLIENTS = 4;

/** `os cloud up --computes 100 --nodes-per-process 25 --driver fake` until every node is `up` and a provider. */
export const cloudUpRow: BenchRow = {
  name: "scale.cloud_up_100_nodes",
  target: { maxMedianMs: 30_000 },
  async run() {
    const { cloud, upMs } = await scaleCloud();
    const counts = await nodeCounts(cloud);
    const rss = cloudRssMiB(cloud.dir);
    recordMetric({ row: this.name, name: "compute services up", value: counts.servicesUp, unit: "nodes", min: SCALE_NODES });
    recordMetric({ row: this.name, name: "Placement providers", value: counts.providers, unit: "providers", min: SCALE_NODES });
    recordMetric({ row: this.name, name: "total RSS", value: Math.round(rss.totalMiB), unit: "MiB", max: 3072 });
    recordMetric({ row: this.name, name: "processes", value: rss.processes, unit: `(${NODES_PER_PROCESS} nodes per worker)` });
    return [upMs];
  },
};

async function serverTotals(compute: (m: string, p: string) => Promise<{ status: number; body: any }>) {
  const r = await compute("GET", `/servers/detail?limit=${SCALE_SERVERS + 100}&all_tenants=1`);
  const servers: Array<{ status: string; flavor: { vcpus: number; ram: number; disk: number } }> = r.body?.servers ?? [];
  const by = (s: string) => servers.filter((x) => x.status === s).length;
  return { total: servers.length, active: by("ACTIVE"), build: by("BUILD"), error: by("ERROR"), servers };
}

/**
 * 1,000 servers: 20 × `os server create --min 50 --max 50` from 4 concurrent clients, until every server
 * is ACTIVE. One sample: the total. Then Placement's usage must equal the sum of the flavors.
 */
export const createRow: BenchRow = {
  name: "scale.create_1000_servers_100_nodes",
  target: { maxMedianMs: 60_000 },
  async run() {
    const { cloud } = await scaleCloud();
    const batches = Array.from({ length: SCALE_SERVERS / BATCH }, (_, i) => i);
    const t = performance.now();
    await mapLimit(batches, CLIENTS, async (i) => {
      const r = await cloud.compute("POST", "/servers", createBody(cloud, `scale${i}`, { min_count: BATCH, max_count: BATCH }));
      if (r.status !== 202) throw new Error(`POST /servers (min_count=max_count=${BATCH}) answered ${r.status}: ${JSON.stringify(r.body)}`);
    });
    await cloud.waitAllActive(SCALE_SERVERS, 300_000);
    const took = performance.now() - t;
    const totals = await serverTotals(cloud.compute);
    recordMetric({ row: this.name, name: "servers ACTIVE", value: totals.active, unit: "servers", min: SCALE_SERVERS });
    recordMetric({ row: this.name, name: "servers stuck in BUILD", value: totals.build, unit: "servers", max: 0 });
    recordMetric({ row: this.name, name: "servers in ERROR", value: totals.error, unit: "servers", max: 0 });
    // Placement's usage of the project against the flavors of its servers.
    const project = (await cloud.session.authRef()).projectId;
    const usages = (
      await cloud.session.request<{ usages: Record<string, number> }>("placement", "GET", "/usages", {
        query: { project_id: project },
        microversion: "1.9",
      })
    ).body.usages;
    const want = { VCPU: 0, MEMORY_MB: 0, DISK_GB: 0 };
    for (const s of totals.servers) {
      want.VCPU += s.flavor.vcpus;
      want.MEMORY_MB += s.flavor.ram;
      want.DISK_GB += s.flavor.disk;
    }
    const off = Object.entries(want).reduce((n, [rc, v]) => n + Math.abs((usages[rc] ?? 0) - v), 0);
    process.stderr.write(`  Placement usage ${JSON.stringify(usages)}; flavors sum to ${JSON.stringify(want)}\n`);
    recordMetric({ row: this.name, name: "Placement usage minus sum of flavors", value: off, unit: "units", max: 0 });
    return [took];
  },
};

/** `GET /servers/detail?limit=1000` with the 1,000 servers in the project (one page). Target p50 <= 100 ms. */
export const detailRow: BenchRow = {
  name: "scale.servers_detail_limit_1000",
  target: { maxMedianMs: 100 },
  async run(budget) {
    const { cloud } = await scaleCloud();
    const once = async () => {
      const r = await cloud.compute("GET", "/servers/detail?limit=1000");
      if (r.status !== 200 || r.body.servers.length !== SCALE_SERVERS)
        throw new Error(`GET /servers/detail?limit=1000 answered ${r.status} with ${r.body?.servers?.length} servers (create row first)`);
    };
    for (let i = 0; i < Math.min(budget.warmup, 3); i++) await once();
    const out: number[] = [];
    const stopAt = performance.now() + Math.min(budget.maxMs, 10_000);
    while (out.length < Math.min(budget.maxSamples, 50) && performance.now() < stopAt) {
      const t = performance.now();
      await once();
      out.push(performance.now() - t);
    }
    return out;
  },
};

/** Delete every server (16 DELETEs in flight) until the list is empty and Placement's usage is 0. One sample: the total. */
export const deleteRow: BenchRow = {
  name: "scale.delete_1000_servers",
  target: { maxMedianMs: 60_000 },
  async run() {
    const { cloud } = await scaleCloud();
    const list = await cloud.compute("GET", `/servers?limit=${SCALE_SERVERS + 100}`);
    const ids: string[] = (list.body?.servers ?? []).map((s: { id: string }) => s.id);
    const t = performance.now();
    await mapLimit(ids, 16, async (id) => {
      const r = await cloud.compute("DELETE", `/servers/${id}`);
      if (r.status !== 204 && r.status !== 404) throw new Error(`DELETE /servers/${id} answered ${r.status}`);
    });
    const until = performance.now() + 300_000;
    for (;;) {
      const left = await cloud.compute("GET", "/servers?limit=1");
      if ((left.body?.servers?.length ?? 1) === 0) break;
      if (performance.now() > until) throw new Error("servers still listed 300 s after their DELETE");
      await new Promise((r) => setTimeout(r, 100));
    }
    const took = performance.now() - t;
    const project = (await cloud.session.authRef()).projectId;
    const usages = (
      await cloud.session.request<{ usages: Record<string, number> }>("placement", "GET", "/usages", {
        query: { project_id: project },
        microversion: "1.9",
      })
    ).body.usages;
    recordMetric({ row: this.name, name: "servers deleted", value: ids.length, unit: "servers" });
    recordMetric({
      row: this.name,
      name: "Placement usage left",
      value: Object.values(usages).reduce((a, b) => a + b, 0),
      unit: "units",
      max: 0,
    });
    return [took];
  },
};
