import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/engine/common/config/config.js";
import { CellMappings } from "../../src/engine/compute/cells/mappings.js";
import { novaFirstStart } from "../../src/engine/compute/db/first-start.js";
import { openDatabase } from "../../src/engine/common/db/database.js";
import { closeAllDbs, openApiDb } from "../../src/engine/compute/db/open.js";
import { createService, upsertComputeNode } from "../../src/engine/compute/objects/services.js";
import { type ProviderSummary, hostStatesFor } from "../../src/engine/compute/scheduler/host-state.js";

// The scheduler's host states are read with a fixed number of queries whatever the number of
// candidates (one per table, not one per node), and say the same as the per-host reads did.

const dirs: string[] = [];
afterEach(() => {
  closeAllDbs();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

type Db = ReturnType<typeof openApiDb>;

/** A cloud's databases with `n` compute nodes (compute1..n) mapped to cell1, and their provider summaries. */
function cloudWithNodes(n: number) {
  const dir = mkdtempSync(join(tmpdir(), "sched-hosts-"));
  dirs.push(dir);
  novaFirstStart(dir, loadConfig(undefined, ["DEFAULT.transport_url=zmq://127.0.0.1:5999"]));
  const api = openApiDb(dir);
  const cells = new CellMappings(api, dir);
  const cell = cells.realCells()[0];
  if (!cell) throw new Error("no cell1");
  const db = cells.db(cell);
  const summaries: Record<string, ProviderSummary> = {};
  for (let i = 1; i <= n; i++) {
    const host = `compute${i}`;
    createService(db, { host, binary: "nova-compute", topic: "compute" });
    const node = upsertComputeNode(db, host, host, {
      uuid: randomUUID(),
      vcpus: 8,
      memory_mb: 16384,
      local_gb: 100,
      vcpus_used: 0,
      memory_mb_used: 512,
      local_gb_used: 0,
      hypervisor_type: "fake",
      cpu_info: JSON.stringify({ arch: "x86_64" }),
    });
    summaries[node.uuid] = {
      resources: { VCPU: { capacity: 128, used: i }, MEMORY_MB: { capacity: 16384, used: 1024 }, DISK_GB: { capacity: 100, used: 2 } },
    };
  }
  cells.discoverHosts();
  return { dir, api, cells, db, cell, summaries };
}

/** Count the SQL statements prepared on these databases while `fn` runs. */
function countQueries<T>(dbs: Db[], fn: () => T): { result: T; queries: number } {
  let queries = 0;
  const saved = dbs.map((db) => db.prepare);
  for (const db of dbs) {
    const original = db.prepare.bind(db);
    db.prepare = ((sql: string) => {
      queries++;
      return original(sql);
    }) as typeof db.prepare;
  }
  try {
    return { result: fn(), queries };
  } finally {
    dbs.forEach((db, i) => {
      db.prepare = saved[i] as typeof db.prepare;
    });
  }
}

function addInstance(db: Db, host: string, deleted = 0) {
  db.prepare(
    "INSERT INTO instances (uuid, project_id, user_id, flavor, host, node, created_at, deleted) VALUES (?, 'p', 'u', '{}', ?, ?, ?, ?)",
  ).run(randomUUID(), host, host, new Date().toISOString(), deleted);
}

describe("scheduler host states", () => {
  it("carry each candidate's service, zone, aggregates, instance count and free resources", () => {
    const { api, cells, db, cell, summaries } = cloudWithNodes(3);
    const now = new Date().toISOString();
    api
      .prepare("INSERT INTO aggregates (uuid, name, created_at) VALUES (?, 'fast', ?), (?, 'plain', ?)")
      .run(randomUUID(), now, randomUUID(), now);
    const [fast, plain] = (api.prepare("SELECT id FROM aggregates ORDER BY id").all() as Array<{ id: number }>).map((a) => a.id);
    api
      .prepare("INSERT INTO aggregate_metadata (aggregate_id, key, value) VALUES (?, 'availability_zone', 'az-fast'), (?, 'ssd', 'true')")
      .run(fast, fast);
    api.prepare("INSERT INTO aggregate_hosts (host, aggregate_id) VALUES ('compute2', ?), ('compute2', ?)").run(fast, plain);
    addInstance(db, "compute2");
    addInstance(db, "compute2");
    addInstance(db, "compute2", 1); // deleted: not counted
    addInstance(db, "compute3");
    db.prepare("UPDATE services SET disabled = 1 WHERE host = 'compute3'").run();
    // compute1's provider was not offered by Placement: no host state for it.
    const offered = Object.fromEntries(Object.entries(summaries).slice(1));

    const states = hostStatesFor(cells, offered, "nova");
    expect(states.map((h) => h.host)).toEqual(["compute2", "compute3"]);
    const [two, three] = states;
    expect(two).toMatchObject({
      nodename: "compute2",
      availability_zone: "az-fast",
      aggregates_metadata: [{ availability_zone: "az-fast", ssd: "true" }, {}],
      num_instances: 2,
      vcpus_total: 128,
      vcpus_used: 2,
      free_ram_mb: 16384 - 1024,
      free_disk_mb: 98 * 1024,
      cpu_arch: "x86_64",
      hypervisor_type: "fake",
      cell: { uuid: cell.uuid },
    });
    expect(two?.service).toMatchObject({ host: "compute2", disabled: false, forced_down: false });
    expect(three).toMatchObject({ availability_zone: "nova", aggregates_metadata: [], num_instances: 1 });
    expect(three?.service?.disabled).toBe(true);

    // A host that is not mapped to the cell (discover_hosts has not run for it) is left out.
    api.prepare("DELETE FROM host_mappings WHERE host = 'compute3'").run();
    expect(hostStatesFor(cells, offered, "nova").map((h) => h.host)).toEqual(["compute2"]);
    expect(hostStatesFor(cells, {}, "nova")).toEqual([]);
  });

  it("reads 10 and 300 candidates with the same number of queries", () => {
    const small = cloudWithNodes(10);
    const big = cloudWithNodes(300);
    const run = (c: ReturnType<typeof cloudWithNodes>) => countQueries([c.api, c.db], () => hostStatesFor(c.cells, c.summaries, "nova"));
    const a = run(small);
    const b = run(big);
    expect(a.result).toHaveLength(10);
    expect(b.result).toHaveLength(300);
    expect(b.queries).toBe(a.queries);
    expect(a.queries).toBeLessThanOrEqual(8);
  });
});

describe("scheduler host cache", () => {
  it("reads no host rows when nothing changed, and only the changed rows after a heartbeat", () => {
    const { api, db, cells, summaries } = cloudWithNodes(300);
    hostStatesFor(cells, summaries, "nova");
    const idle = countQueries([api, db], () => hostStatesFor(cells, summaries, "nova"));
    expect(idle.result).toHaveLength(300);
    // Only the change markers are read (host_changes' MAX(seq), host_facts_generation, the cell list).
    const read: string[] = [];
    const spy = (d: Db) => {
      const original = d.prepare.bind(d);
      d.prepare = ((sql: string) => {
        read.push(sql);
        return original(sql);
      }) as typeof d.prepare;
      return () => {
        d.prepare = original as typeof d.prepare;
      };
    };
    const undo = [spy(api), spy(db)];
    try {
      hostStatesFor(cells, summaries, "nova");
      expect(read.filter((sql) => /FROM (compute_nodes|services|instances|host_mappings|aggregate_hosts)\b/.test(sql))).toEqual([]);
      const later = new Date(Date.now() + 1000).toISOString();
      db.prepare("UPDATE services SET updated_at = ?, last_seen_up = ? WHERE host = 'compute7'").run(later, later);
      read.length = 0;
      const states = hostStatesFor(cells, summaries, "nova");
      expect(read.filter((sql) => /FROM services\b/.test(sql))).toHaveLength(1);
      expect(read.filter((sql) => /FROM (compute_nodes|host_mappings|aggregate_hosts)\b/.test(sql))).toEqual([]);
      expect(states.find((h) => h.host === "compute7")?.service?.last_seen_up).toBe(later);
    } finally {
      for (const u of undo) u();
    }
  });

  it("sees every kind of change made by any connection between requests", () => {
    const { dir, api, db, cells, summaries } = cloudWithNodes(4);
    const byHost = () => new Map(hostStatesFor(cells, summaries, "nova").map((h) => [h.host, h]));
    expect(byHost().size).toBe(4);

    // Changes through a second connection, as nova-compute, nova-api and nova-manage make them.
    const other = openDatabase(db.name);
    const otherApi = openDatabase(api.name);
    try {
      other.prepare("UPDATE services SET disabled = 1 WHERE host = 'compute1'").run();
      other.prepare("UPDATE services SET deleted = id WHERE host = 'compute2'").run();
      other.prepare("UPDATE compute_nodes SET deleted = id WHERE host = 'compute3'").run();
      other
        .prepare("UPDATE compute_nodes SET hypervisor_type = 'qemu', cpu_info = ? WHERE host = 'compute4'")
        .run(JSON.stringify({ arch: "aarch64" }));
      addInstance(other, "compute4");
      addInstance(other, "compute4");
      let states = byHost();
      expect(states.get("compute1")?.service?.disabled).toBe(true);
      expect(states.get("compute2")?.service).toBeNull();
      expect(states.has("compute3")).toBe(false);
      expect(states.get("compute4")).toMatchObject({ hypervisor_type: "qemu", cpu_arch: "aarch64", num_instances: 2 });

      // An instance moved to another host and one deleted move the counts; a deleted row is gone for good.
      other.prepare("UPDATE instances SET host = 'compute1', node = 'compute1' WHERE id = (SELECT MIN(id) FROM instances)").run();
      states = byHost();
      expect(states.get("compute4")?.num_instances).toBe(1);
      expect(states.get("compute1")?.num_instances).toBe(1);
      other.prepare("UPDATE instances SET deleted = id WHERE host = 'compute4'").run();
      other.prepare("DELETE FROM instances WHERE host = 'compute1'").run();
      states = byHost();
      expect(states.get("compute4")?.num_instances).toBe(0);
      expect(states.get("compute1")?.num_instances).toBe(0);

      // Aggregates and host mappings live in nova_api.
      const now = new Date().toISOString();
      otherApi.prepare("INSERT INTO aggregates (uuid, name, created_at) VALUES (?, 'edge', ?)").run(randomUUID(), now);
      const agg = otherApi.prepare("SELECT id FROM aggregates WHERE name = 'edge'").pluck().get() as number;
      otherApi.prepare("INSERT INTO aggregate_metadata (aggregate_id, key, value) VALUES (?, 'availability_zone', 'az-edge')").run(agg);
      otherApi.prepare("INSERT INTO aggregate_hosts (host, aggregate_id) VALUES ('compute4', ?)").run(agg);
      expect(byHost().get("compute4")?.availability_zone).toBe("az-edge");
      otherApi.prepare("DELETE FROM host_mappings WHERE host = 'compute4'").run();
      expect(byHost().has("compute4")).toBe(false);

      // A new node: it appears once discover_hosts maps it, after the older ones (compute2's node is
      // still there without its service: ComputeFilter drops such a host).
      createService(other, { host: "compute9", binary: "nova-compute", topic: "compute" });
      const node = upsertComputeNode(other, "compute9", "compute9", {
        uuid: randomUUID(),
        vcpus: 8,
        memory_mb: 16384,
        local_gb: 100,
        vcpus_used: 0,
        memory_mb_used: 0,
        local_gb_used: 0,
      });
      summaries[node.uuid] = {
        resources: { VCPU: { capacity: 8, used: 0 }, MEMORY_MB: { capacity: 16384, used: 0 }, DISK_GB: { capacity: 100, used: 0 } },
      };
      expect(byHost().has("compute9")).toBe(false);
      new CellMappings(openApiDb(dir), dir).discoverHosts();
      expect([...byHost().keys()]).toEqual(["compute1", "compute2", "compute9"]);
    } finally {
      other.close();
      otherApi.close();
    }
  });
});
