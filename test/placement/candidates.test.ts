import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Placement, client, startPlacement } from "./helpers.js";

let p: Placement;
let api: ReturnType<typeof client>;
const ids: Record<string, string> = {};
const AGG = "55555555-5555-4555-8555-555555555555";

beforeAll(async () => {
  p = await startPlacement();
  api = client(p.url, { version: "1.39" });
  await api("PUT", "/traits/CUSTOM_GPU_FAST");
  for (const name of ["cn1", "cn2"]) {
    const rp = (await api("POST", "/resource_providers", { name })).body;
    ids[name] = rp.uuid;
    await api("PUT", `/resource_providers/${rp.uuid}/inventories`, {
      resource_provider_generation: 0,
      inventories: { VCPU: { total: 4 }, MEMORY_MB: { total: 4096 }, DISK_GB: { total: 100 } },
    });
  }
  await api("PUT", `/resource_providers/${ids.cn1}/traits`, { traits: ["HW_CPU_X86_AVX2"], resource_provider_generation: 1 });
  await api("PUT", `/resource_providers/${ids.cn2}/aggregates`, { aggregates: [AGG], resource_provider_generation: 1 });
  // A GPU child under cn1, and two children under cn2 for group isolation.
  const gpu = (await api("POST", "/resource_providers", { name: "cn1_gpu", parent_provider_uuid: ids.cn1 })).body;
  ids.gpu = gpu.uuid;
  await api("PUT", `/resource_providers/${gpu.uuid}/inventories`, { resource_provider_generation: 0, inventories: { VGPU: { total: 2 } } });
  await api("PUT", `/resource_providers/${gpu.uuid}/traits`, { traits: ["CUSTOM_GPU_FAST"], resource_provider_generation: 1 });
  for (const name of ["cn2_pf1", "cn2_pf2"]) {
    const pf = (await api("POST", "/resource_providers", { name, parent_provider_uuid: ids.cn2 })).body;
    ids[name] = pf.uuid;
    await api("PUT", `/resource_providers/${pf.uuid}/inventories`, {
      resource_provider_generation: 0,
      inventories: { SRIOV_NET_VF: { total: 4 } },
    });
  }
});
afterAll(async () => p.close());

const rootsOf = (res: { body: { allocation_requests: Array<{ allocations: Record<string, unknown> }> } }) =>
  res.body.allocation_requests.map((r) => Object.keys(r.allocations).sort());

describe("allocation candidates", () => {
  it("returns one request per fitting host with provider summaries", async () => {
    const res = await api("GET", "/allocation_candidates?resources=VCPU:2,MEMORY_MB:1024");
    expect(res.status).toBe(200);
    expect(rootsOf(res)).toEqual([[ids.cn1], [ids.cn2]]);
    expect(res.body.allocation_requests[0]).toEqual({
      allocations: { [ids.cn1]: { resources: { VCPU: 2, MEMORY_MB: 1024 } } },
      mappings: { "": [ids.cn1] },
    });
    const s = res.body.provider_summaries[ids.cn1];
    expect(s.resources.VCPU).toEqual({ capacity: 4, used: 0 });
    expect(s.traits).toEqual(["HW_CPU_X86_AVX2"]);
    expect(s.root_provider_uuid).toBe(ids.cn1);
    // 1.29+: the whole tree is summarised, children included.
    expect(Object.keys(res.body.provider_summaries)).toContain(ids.gpu);
  });

  it("filters by capacity left, traits, forbidden traits and aggregates", async () => {
    const c = randomUUID();
    await api("PUT", `/allocations/${c}`, {
      allocations: { [ids.cn1]: { resources: { VCPU: 3 } } },
      project_id: "p",
      user_id: "u",
      consumer_generation: null,
      consumer_type: "INSTANCE",
    });
    expect(rootsOf(await api("GET", "/allocation_candidates?resources=VCPU:2"))).toEqual([[ids.cn2]]);
    await api("DELETE", `/allocations/${c}`);
    expect(rootsOf(await api("GET", "/allocation_candidates?resources=VCPU:1&required=HW_CPU_X86_AVX2"))).toEqual([[ids.cn1]]);
    expect(rootsOf(await api("GET", "/allocation_candidates?resources=VCPU:1&required=!HW_CPU_X86_AVX2"))).toEqual([[ids.cn2]]);
    expect(rootsOf(await api("GET", `/allocation_candidates?resources=VCPU:1&member_of=${AGG}`))).toEqual([[ids.cn2]]);
    expect(rootsOf(await api("GET", "/allocation_candidates?resources=VCPU:5"))).toEqual([]);
    expect((await api("GET", "/allocation_candidates?resources=VCPU:1&limit=1")).body.allocation_requests).toHaveLength(1);
  });

  it("spreads the unnumbered group over a tree (nested, 1.29)", async () => {
    const res = await api("GET", "/allocation_candidates?resources=VCPU:1,VGPU:1");
    expect(res.body.allocation_requests).toEqual([
      {
        allocations: { [ids.cn1]: { resources: { VCPU: 1 } }, [ids.gpu]: { resources: { VGPU: 1 } } },
        mappings: { "": [ids.cn1, ids.gpu] },
      },
    ]);
    // Before 1.29 nested providers are not considered.
    expect(
      (await api("GET", "/allocation_candidates?resources=VCPU:1,VGPU:1", undefined, { version: "1.28" })).body.allocation_requests,
    ).toEqual([]);
  });

  it("handles granular groups with group_policy and mappings", async () => {
    const none = await api(
      "GET",
      "/allocation_candidates?resources=VCPU:1&resources1=SRIOV_NET_VF:1&resources2=SRIOV_NET_VF:1&group_policy=none",
    );
    expect(none.body.allocation_requests).toHaveLength(4);
    const isolate = await api(
      "GET",
      "/allocation_candidates?resources=VCPU:1&resources1=SRIOV_NET_VF:1&resources2=SRIOV_NET_VF:1&group_policy=isolate",
    );
    expect(isolate.body.allocation_requests).toHaveLength(2);
    for (const r of isolate.body.allocation_requests) expect(r.mappings["1"][0]).not.toBe(r.mappings["2"][0]);
    const trait = await api("GET", "/allocation_candidates?resources1=VGPU:1&required1=CUSTOM_GPU_FAST");
    expect(trait.body.allocation_requests).toEqual([
      { allocations: { [ids.gpu]: { resources: { VGPU: 1 } } }, mappings: { "1": [ids.gpu] } },
    ]);
    const missingPolicy = await api("GET", "/allocation_candidates?resources1=VCPU:1&resources2=VCPU:1");
    expect(missingPolicy.status).toBe(400);
    expect(missingPolicy.body.errors[0].detail).toContain('"group_policy" parameter is required');
  });

  it("answers bad queries with 400s that name the problem", async () => {
    expect((await api("GET", "/allocation_candidates")).body.errors[0].detail).toContain("resources");
    const bad = await api("GET", "/allocation_candidates?resources=VCPU");
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].code).toBe("placement.query.bad_value");
    const unknown = await api("GET", "/allocation_candidates?resources=CUSTOM_NOPE:1");
    expect(unknown.body.errors[0].detail).toContain("No such resource class CUSTOM_NOPE");
    expect((await api("GET", "/allocation_candidates?resources=VCPU:1&required=CUSTOM_NOPE")).status).toBe(400);
    expect((await api("GET", "/allocation_candidates?resources=VCPU:1&colour=red")).status).toBe(400);
    expect((await api("GET", "/allocation_candidates?resources1=VCPU:1", undefined, { version: "1.24" })).status).toBe(400);
  });

  it("uses the old list format before 1.12", async () => {
    const res = await api("GET", "/allocation_candidates?resources=DISK_GB:10", undefined, { version: "1.10" });
    expect(res.body.allocation_requests[0]).toEqual({
      allocations: [{ resource_provider: { uuid: ids.cn1 }, resources: { DISK_GB: 10 } }],
    });
    expect(res.body.provider_summaries[ids.cn1]).toEqual({ resources: { DISK_GB: { capacity: 100, used: 0 } } });
  });
});

describe("reshaper", () => {
  it("is for services only", async () => {
    const res = await api("POST", "/reshaper", { inventories: {}, allocations: {} });
    expect(res.status).toBe(403);
    expect(res.body.errors[0].detail).toContain("placement:reshaper:reshape");
  });

  it("moves inventory and its allocations from a root to a child atomically", async () => {
    // noauth2 gives no service role; let admins reshape in this cloud through a policy override.
    const svc = await startPlacement({ policy: { "placement:reshaper:reshape": "role:admin" } });
    const api2 = client(svc.url, { version: "1.39" });
    try {
      const rp = (await api2("POST", "/resource_providers", { name: "reshape_cn" })).body;
      await api2("PUT", `/resource_providers/${rp.uuid}/inventories`, {
        resource_provider_generation: 0,
        inventories: { VCPU: { total: 4 }, VGPU: { total: 2 } },
      });
      const consumer = randomUUID();
      await api2("PUT", `/allocations/${consumer}`, {
        allocations: { [rp.uuid]: { resources: { VCPU: 1, VGPU: 1 } } },
        project_id: "p",
        user_id: "u",
        consumer_generation: null,
        consumer_type: "INSTANCE",
      });
      const child = (await api2("POST", "/resource_providers", { name: "reshape_gpu", parent_provider_uuid: rp.uuid })).body;
      const gen = (await api2("GET", `/resource_providers/${rp.uuid}`)).body.generation;
      const payload = (rootGen: number, consumerGen: number) => ({
        inventories: {
          [rp.uuid]: { resource_provider_generation: rootGen, inventories: { VCPU: { total: 4 } } },
          [child.uuid]: { resource_provider_generation: 0, inventories: { VGPU: { total: 2 } } },
        },
        allocations: {
          [consumer]: {
            allocations: { [rp.uuid]: { resources: { VCPU: 1 } }, [child.uuid]: { resources: { VGPU: 1 } } },
            project_id: "p",
            user_id: "u",
            consumer_generation: consumerGen,
            consumer_type: "INSTANCE",
          },
        },
      });
      const stale = await api2("POST", "/reshaper", payload(gen - 1, 1));
      expect(stale.status).toBe(409);
      expect(stale.body.errors[0].code).toBe("placement.concurrent_update");
      expect((await api2("GET", `/resource_providers/${rp.uuid}/inventories`)).body.inventories.VGPU.total).toBe(2);
      expect((await api2("POST", "/reshaper", payload(gen, 1))).status).toBe(204);
      expect(Object.keys((await api2("GET", `/resource_providers/${rp.uuid}/inventories`)).body.inventories)).toEqual(["VCPU"]);
      expect((await api2("GET", `/resource_providers/${child.uuid}/usages`)).body.usages).toEqual({ VGPU: 1 });
      expect((await api2("GET", `/allocations/${consumer}`)).body.consumer_generation).toBe(2);
    } finally {
      await svc.close();
    }
  });
});
