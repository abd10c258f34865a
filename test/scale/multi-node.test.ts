import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/engine/common/config/config.js";
import { cloudServices, missingEntries } from "../../src/engine/cloud/services.js";
import { groupLabel, groupNodes, unitCoversHost } from "../../src/engine/compute/manager/multi-node.js";
import { addNodes, readNodes } from "../../src/engine/compute/manager/node-list.js";
import { type FullCloud, upFullCloud } from "../compute/full-cloud.js";

const nodes = (n: number, driver = "fake") => Array.from({ length: n }, (_, i) => ({ host: `compute${i + 1}`, driver }));

describe("nodes per process: grouping and names", () => {
  it("cuts the node list into workers of N named after their host range; N=1 keeps one unit per node", () => {
    expect(groupNodes(nodes(20), 10).map((g) => g.unit)).toEqual(["nova-compute@compute1-10", "nova-compute@compute11-20"]);
    expect(groupNodes(nodes(5), 2).map((g) => g.hosts.length)).toEqual([2, 2, 1]);
    expect(groupNodes(nodes(3), 1).map((g) => g.unit)).toEqual(["nova-compute@compute1", "nova-compute@compute2", "nova-compute@compute3"]);
    expect(groupLabel(["a", "b", "c"])).toBe("a+2");
    // one driver per worker
    const mixed = [...nodes(2), { host: "q1", driver: "qemu" }];
    expect(groupNodes(mixed, 10).map((g) => [g.driver, g.hosts])).toEqual([
      ["fake", ["compute1", "compute2"]],
      ["qemu", ["q1"]],
    ]);
    expect(unitCoversHost("nova-compute@compute11-20", "compute15")).toBe(true);
    expect(unitCoversHost("nova-compute@compute11-20", "compute2")).toBe(false);
    expect(unitCoversHost("nova-compute@compute11-20", "compute015")).toBe(false);
  });

  it("the supervisor's units follow [compute] nodes_per_process (default: one process per node)", () => {
    const dir = mkdtempSync(join(tmpdir(), "scale-units-"));
    const units = (set: string) => {
      process.env.POCKETSTACK_SET = set;
      try {
        return cloudServices(loadConfig(join(dir, "none.conf")), nodes(20)).filter((s) => s.name.startsWith("nova-compute@"));
      } finally {
        delete process.env.POCKETSTACK_SET;
      }
    };
    expect(units("").length).toBe(20);
    const grouped = units("compute.nodes_per_process=10");
    expect(grouped.map((u) => u.name)).toEqual(["nova-compute@compute1-10", "nova-compute@compute11-20"]);
    expect(grouped[0]?.args).toEqual([
      "--hosts",
      nodes(10)
        .map((n) => n.host)
        .join(","),
      "--driver",
      "fake",
    ]);
    expect(() => units("compute.nodes_per_process=0")).toThrow(/nodes_per_process/);
  });

  it("units start after what they need only (computes: Keystone, Placement, conductor); every entry exists", () => {
    const dir = mkdtempSync(join(tmpdir(), "scale-after-"));
    const specs = cloudServices(loadConfig(join(dir, "none.conf")), nodes(3));
    const seen = new Set<string>();
    for (const s of specs) {
      // `after` may only name units started earlier: the start order has no cycle.
      for (const dep of s.after ?? []) expect(seen.has(dep), `${s.name} after ${dep}`).toBe(true);
      seen.add(s.name);
    }
    const after = Object.fromEntries(specs.map((s) => [s.name, s.after ?? []]));
    expect(after["nova-compute@compute2"]).toEqual(["keystone", "placement", "nova-conductor"]);
    expect(after.keystone).toEqual([]);
    expect(after["nova-conductor"]).toEqual(["bus-cell1"]);
    // No unit is dropped silently: the list is whole, and a missing entry file is named.
    expect(missingEntries(specs)).toEqual([]);
    expect(missingEntries([...specs, { name: "x", description: "x", entry: "engine/nosuch/main" }])).toEqual([
      expect.stringMatching(/engine\/nosuch\/main\.(ts|js)$/),
    ]);
  });

  it("`os node add compute --count N` numbers new nodes after the highest listed one, in one write", () => {
    const dir = mkdtempSync(join(tmpdir(), "scale-nodes-"));
    const config = loadConfig(join(dir, "none.conf"));
    expect(addNodes(dir, config, "compute", 3, "fake").map((n) => n.host)).toEqual(["compute3", "compute4", "compute5"]);
    expect(readNodes(dir)?.map((n) => n.host)).toEqual(["compute1", "compute2", "compute3", "compute4", "compute5"]);
    expect(() => addNodes(dir, config, "compute", 0, "fake")).toThrow(/count 0/);
    expect(() => addNodes(dir, config, "bad name", 1, "fake")).toThrow(/not a valid host name/);
  });
});

describe("20 fake nodes in 2 worker processes", () => {
  let cloud: FullCloud;
  beforeAll(async () => {
    cloud = await upFullCloud([
      "compute.computes=20",
      "compute.nodes_per_process=10",
      "trace.enabled=false",
      "quota.instances=-1",
      "quota.cores=-1",
      "quota.ram=-1",
    ]);
  }, 150_000);
  afterAll(async () => cloud?.close(), 30_000);

  it("runs 2 units, and every node is an `up` service, a hypervisor and a Placement provider", async () => {
    const state = JSON.parse(readFileSync(join(cloud.dir, "run", "supervisor.json"), "utf8")) as {
      units: Array<{ name: string; state: string; pid: number }>;
    };
    const workers = state.units.filter((u) => u.name.startsWith("nova-compute@"));
    expect(workers.map((u) => [u.name, u.state])).toEqual([
      ["nova-compute@compute1-10", "running"],
      ["nova-compute@compute11-20", "running"],
    ]);
    expect(new Set(workers.map((u) => u.pid)).size).toBe(2);
    const want = nodes(20)
      .map((n) => n.host)
      .sort();
    const services = (
      await cloud.admin.request<{ services: Array<{ host: string; state: string; status: string }> }>("compute", "GET", "/os-services", {
        query: { binary: "nova-compute" },
      })
    ).body.services;
    expect(
      services
        .filter((s) => s.state === "up" && s.status === "enabled")
        .map((s) => s.host)
        .sort(),
    ).toEqual(want);
    const hvs = (
      await cloud.admin.request<{ hypervisors: Array<{ hypervisor_hostname: string; state: string }> }>("compute", "GET", "/os-hypervisors")
    ).body.hypervisors;
    expect(hvs.map((h) => h.hypervisor_hostname).sort()).toEqual(want);
    const rps = (await cloud.admin.request<{ resource_providers: Array<{ name: string }> }>("placement", "GET", "/resource_providers")).body
      .resource_providers;
    expect(rps.map((r) => r.name).sort()).toEqual(want);
  }, 60_000);

  it("`os server create --min 10 --max 10` makes 10 ACTIVE servers spread over the nodes, Placement usage = 10 flavors", async () => {
    const images = await cloud.admin.request<{ images: Array<{ id: string }> }>("image", "GET", "/v2/images", {
      query: { name: "cirros" },
    });
    const r = await cloud.admin.request<{ reservation_id?: string; server?: { id: string } }>("compute", "POST", "/servers", {
      microversion: "2.79",
      body: {
        server: { name: "batch", imageRef: images.body.images[0]?.id, flavorRef: "1", networks: "none", min_count: 10, max_count: 10 },
      },
    });
    expect(r.status).toBe(202);
    const until = Date.now() + 60_000;
    let servers: Array<{
      name: string;
      status: string;
      "OS-EXT-SRV-ATTR:host": string;
      flavor: { vcpus: number; ram: number; disk: number };
    }> = [];
    while (Date.now() < until) {
      servers = (await cloud.admin.request<{ servers: typeof servers }>("compute", "GET", "/servers/detail", { microversion: "2.79" })).body
        .servers;
      if (servers.length === 10 && servers.every((s) => s.status === "ACTIVE" || s.status === "ERROR")) break;
      await new Promise((res) => setTimeout(res, 200));
    }
    expect(servers.map((s) => s.status)).toEqual(Array(10).fill("ACTIVE"));
    // nova names a multi-create's servers <name>-<n>
    expect(servers.map((s) => s.name).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `batch-${i + 1}`).sort());
    expect(new Set(servers.map((s) => s["OS-EXT-SRV-ATTR:host"])).size).toBeGreaterThan(1);
    const project = (await cloud.admin.authRef()).projectId as string;
    const usages = (
      await cloud.admin.request<{ usages: Record<string, number> }>("placement", "GET", "/usages", {
        query: { project_id: project },
        microversion: "1.9",
      })
    ).body.usages;
    const sum = (k: "vcpus" | "ram" | "disk") => servers.reduce((a, s) => a + s.flavor[k], 0);
    expect(usages).toMatchObject({ VCPU: sum("vcpus"), MEMORY_MB: sum("ram"), DISK_GB: sum("disk") });
  }, 90_000);

  it("`os node list` names the worker unit that runs each node", () => {
    const out = execFileSync(process.execPath, ["--import", "tsx", "bin/dev.js", "node", "list", "-f", "json", "--state-dir", cloud.dir], {
      encoding: "utf8",
      env: { ...process.env, POCKETSTACK_SET: cloud.sets.join(";") },
    });
    const rows = JSON.parse(out) as Array<{ Host: string; Unit: string; State: string }>;
    expect(rows.find((r) => r.Host === "compute15")).toMatchObject({ Unit: "nova-compute@compute11-20", State: "running" });
  }, 30_000);
});
