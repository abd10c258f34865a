import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Placement, client, startPlacement } from "./helpers.js";

/**
 * Sharing providers (MISC_SHARES_VIA_AGGREGATE) and same_subtree (1.36), through HTTP as nova and
 * neutron use them:
 *
 *   cn1 (VCPU, MEMORY_MB) ──┐
 *   cn2 (VCPU, MEMORY_MB)   ├─ aggregate AGG ── nfs (DISK_GB, MISC_SHARES_VIA_AGGREGATE)
 *                           │
 *   cn3 (VCPU) ─┬─ nic_a (CUSTOM_PHYSNET_A) ── vf_a (SRIOV_NET_VF)
 *               └─ nic_b (CUSTOM_PHYSNET_B) ── vf_b (SRIOV_NET_VF)
 */
let p: Placement;
let api: ReturnType<typeof client>;
const ids: Record<string, string> = {};
const AGG = "66666666-6666-4666-8666-666666666666";

async function provider(name: string, inventories: Record<string, { total: number }>, parent?: string): Promise<string> {
  const rp = (await api("POST", "/resource_providers", { name, ...(parent ? { parent_provider_uuid: parent } : {}) })).body;
  ids[name] = rp.uuid;
  if (Object.keys(inventories).length > 0)
    expect((await api("PUT", `/resource_providers/${rp.uuid}/inventories`, { resource_provider_generation: 0, inventories })).status).toBe(
      200,
    );
  return rp.uuid;
}
async function setTraits(uuid: string, traits: string[]) {
  const gen = (await api("GET", `/resource_providers/${uuid}`)).body.generation;
  expect((await api("PUT", `/resource_providers/${uuid}/traits`, { traits, resource_provider_generation: gen })).status).toBe(200);
}
async function setAggregates(uuid: string, aggregates: string[]) {
  const gen = (await api("GET", `/resource_providers/${uuid}`)).body.generation;
  expect((await api("PUT", `/resource_providers/${uuid}/aggregates`, { aggregates, resource_provider_generation: gen })).status).toBe(200);
}
// biome-ignore lint/suspicious/noExplicitAny: allocation requests are arbitrary JSON
const providersOf = (reqs: any[]) => reqs.map((r) => Object.keys(r.allocations).sort());
const sorted = (...names: string[]) => names.map((n) => ids[n]).sort();

beforeAll(async () => {
  p = await startPlacement();
  api = client(p.url, { version: "1.39" });
  for (const t of ["CUSTOM_PHYSNET_A", "CUSTOM_PHYSNET_B"]) await api("PUT", `/traits/${t}`);
  await provider("cn1", { VCPU: { total: 8 }, MEMORY_MB: { total: 8192 } });
  await provider("cn2", { VCPU: { total: 8 }, MEMORY_MB: { total: 8192 } });
  await provider("nfs", { DISK_GB: { total: 1000 } });
  await setTraits(ids.nfs as string, ["MISC_SHARES_VIA_AGGREGATE"]);
  await setAggregates(ids.nfs as string, [AGG]);
  await setAggregates(ids.cn1 as string, [AGG]);
  const cn3 = await provider("cn3", { VCPU: { total: 4 } });
  const nicA = await provider("nic_a", {}, cn3);
  const nicB = await provider("nic_b", {}, cn3);
  await setTraits(nicA, ["CUSTOM_PHYSNET_A"]);
  await setTraits(nicB, ["CUSTOM_PHYSNET_B"]);
  await provider("vf_a", { SRIOV_NET_VF: { total: 4 } }, nicA);
  await provider("vf_b", { SRIOV_NET_VF: { total: 4 } }, nicB);
});
afterAll(async () => p.close());

describe("sharing providers", () => {
  it("combine a compute node with the shared disk of its aggregate, summaries included", async () => {
    const res = await api("GET", "/allocation_candidates?resources=VCPU:1,MEMORY_MB:512,DISK_GB:10");
    expect(res.status).toBe(200);
    // cn2 is not in the aggregate: no disk for it. cn3 has no disk nor memory.
    expect(res.body.allocation_requests).toEqual([
      {
        allocations: {
          [ids.cn1 as string]: { resources: { VCPU: 1, MEMORY_MB: 512 } },
          [ids.nfs as string]: { resources: { DISK_GB: 10 } },
        },
        mappings: { "": [ids.cn1, ids.nfs] },
      },
    ]);
    expect(Object.keys(res.body.provider_summaries).sort()).toEqual(sorted("cn1", "nfs"));
    expect(res.body.provider_summaries[ids.nfs as string]).toEqual({
      resources: { DISK_GB: { capacity: 1000, used: 0 } },
      traits: ["MISC_SHARES_VIA_AGGREGATE"],
      parent_provider_uuid: null,
      root_provider_uuid: ids.nfs,
    });
  });

  it("serve every member of the aggregate, and count what is allocated from them", async () => {
    await setAggregates(ids.cn2 as string, [AGG]);
    const consumer = randomUUID();
    const claim = await api("PUT", `/allocations/${consumer}`, {
      allocations: { [ids.cn2 as string]: { resources: { VCPU: 1 } }, [ids.nfs as string]: { resources: { DISK_GB: 995 } } },
      project_id: "p",
      user_id: "u",
      consumer_generation: null,
      consumer_type: "INSTANCE",
    });
    expect(claim.status).toBe(204);
    const fits = await api("GET", "/allocation_candidates?resources=VCPU:1,DISK_GB:5");
    expect(providersOf(fits.body.allocation_requests)).toEqual([sorted("cn1", "nfs"), sorted("cn2", "nfs")]);
    expect(fits.body.provider_summaries[ids.nfs as string].resources.DISK_GB).toEqual({ capacity: 1000, used: 995 });
    // 6 GB more would exceed the shared disk for every host at once.
    expect((await api("GET", "/allocation_candidates?resources=VCPU:1,DISK_GB:6")).body.allocation_requests).toEqual([]);
    expect((await api("DELETE", `/allocations/${consumer}`)).status).toBe(204);
    // Usage-only changes refresh the cached picture too (no structural change in between).
    const after = await api("GET", "/allocation_candidates?resources=VCPU:1,DISK_GB:5");
    expect(after.body.provider_summaries[ids.nfs as string].resources.DISK_GB).toEqual({ capacity: 1000, used: 0 });
    expect(after.body.provider_summaries[ids.cn2 as string].resources.VCPU).toEqual({ capacity: 8, used: 0 });
  });

  it("answer a disk-only request once with the sharing provider alone", async () => {
    const res = await api("GET", "/allocation_candidates?resources=DISK_GB:10");
    expect(res.body.allocation_requests).toEqual([
      { allocations: { [ids.nfs as string]: { resources: { DISK_GB: 10 } } }, mappings: { "": [ids.nfs] } },
    ]);
  });

  it("satisfy a granular group for the trees they serve, and obey forbidden traits", async () => {
    const res = await api("GET", "/allocation_candidates?resources=VCPU:1&resources_DISK=DISK_GB:10");
    expect(res.body.allocation_requests).toContainEqual({
      allocations: { [ids.cn1 as string]: { resources: { VCPU: 1 } }, [ids.nfs as string]: { resources: { DISK_GB: 10 } } },
      mappings: { "": [ids.cn1], _DISK: [ids.nfs] },
    });
    expect(providersOf(res.body.allocation_requests)).toEqual([sorted("cn1", "nfs"), sorted("cn2", "nfs")]);
    const noShared = await api("GET", "/allocation_candidates?resources=VCPU:1,DISK_GB:10&required=!MISC_SHARES_VIA_AGGREGATE");
    expect(noShared.body.allocation_requests).toEqual([]);
    // Aggregates filter the sharing provider too: in another aggregate, nobody gets disk.
    const other = randomUUID();
    expect((await api("GET", `/allocation_candidates?resources=VCPU:1,DISK_GB:10&member_of=${other}`)).body.allocation_requests).toEqual(
      [],
    );
  });

  it("stop sharing when the trait or the aggregate goes", async () => {
    await setAggregates(ids.cn2 as string, []);
    expect(providersOf((await api("GET", "/allocation_candidates?resources=VCPU:1,DISK_GB:10")).body.allocation_requests)).toEqual([
      sorted("cn1", "nfs"),
    ]);
    await setTraits(ids.nfs as string, []);
    expect((await api("GET", "/allocation_candidates?resources=VCPU:1,DISK_GB:10")).body.allocation_requests).toEqual([]);
    await setTraits(ids.nfs as string, ["MISC_SHARES_VIA_AGGREGATE"]);
  });
});

describe("same_subtree (1.36)", () => {
  it("keeps the listed groups under one provider of the tree, a resourceless group included", async () => {
    const any = await api("GET", "/allocation_candidates?resources_VF=SRIOV_NET_VF:1");
    expect(providersOf(any.body.allocation_requests)).toEqual([[ids.vf_a], [ids.vf_b]]);
    const res = await api(
      "GET",
      "/allocation_candidates?resources_VF=SRIOV_NET_VF:1&required_NIC=CUSTOM_PHYSNET_A&same_subtree=_VF,_NIC&group_policy=none",
    );
    expect(res.status).toBe(200);
    expect(res.body.allocation_requests).toEqual([
      { allocations: { [ids.vf_a as string]: { resources: { SRIOV_NET_VF: 1 } } }, mappings: { _NIC: [ids.nic_a], _VF: [ids.vf_a] } },
    ]);
    // The whole tree is summarised, the resourceless NIC included.
    expect(Object.keys(res.body.provider_summaries).sort()).toEqual(sorted("cn3", "nic_a", "nic_b", "vf_a", "vf_b"));
    // With the unsuffixed group on the root: the root is in no same_subtree, so it does not matter where it sits.
    const withRoot = await api(
      "GET",
      "/allocation_candidates?resources=VCPU:1&resources_VF=SRIOV_NET_VF:1&required_NIC=CUSTOM_PHYSNET_B&same_subtree=_NIC,_VF&group_policy=isolate",
    );
    expect(withRoot.body.allocation_requests).toEqual([
      {
        allocations: { [ids.cn3 as string]: { resources: { VCPU: 1 } }, [ids.vf_b as string]: { resources: { SRIOV_NET_VF: 1 } } },
        mappings: { "": [ids.cn3], _NIC: [ids.nic_b], _VF: [ids.vf_b] },
      },
    ]);
    // Two VF groups under the same NIC: both land on vf_a (none) or nowhere (isolate: only one VF provider there).
    const two = "resources_VF1=SRIOV_NET_VF:1&resources_VF2=SRIOV_NET_VF:1&required_NIC=CUSTOM_PHYSNET_A&same_subtree=_NIC,_VF1,_VF2";
    expect(providersOf((await api("GET", `/allocation_candidates?${two}&group_policy=none`)).body.allocation_requests)).toEqual([
      [ids.vf_a],
    ]);
    expect((await api("GET", `/allocation_candidates?${two}&group_policy=isolate`)).body.allocation_requests).toEqual([]);
  });

  it("answers misuse with placement's 400s", async () => {
    const cases: Array<[string, string]> = [
      ["resources_VF=SRIOV_NET_VF:1&required_NIC=CUSTOM_PHYSNET_A&group_policy=none", "bad group(s) - ['_NIC']"],
      ["resources_VF=SRIOV_NET_VF:1&same_subtree=_VF,_X", "['_X'] not found in ['_VF']"],
      ["resources_VF=SRIOV_NET_VF:1&same_subtree=,_VF", "Empty string (unsuffixed group) can not be specified in `same_subtree`"],
      ["required_NIC=CUSTOM_PHYSNET_A&same_subtree=_NIC", "There must be at least one resources or resources[$S] parameter."],
    ];
    for (const [query, detail] of cases) {
      const res = await api("GET", `/allocation_candidates?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.errors[0].detail, query).toContain(detail);
      expect(res.body.errors[0].code, query).toMatch(/^placement\.query\./);
    }
    // Before 1.36 the parameter does not exist, and a group without resources is an orphan.
    const old = await api("GET", "/allocation_candidates?resources_VF=SRIOV_NET_VF:1&same_subtree=_VF", undefined, { version: "1.35" });
    expect(old.status).toBe(400);
    expect(old.body.errors[0].detail).toContain("'same_subtree' was unexpected");
    const orphan = await api(
      "GET",
      "/allocation_candidates?resources_VF=SRIOV_NET_VF:1&required_NIC=CUSTOM_PHYSNET_A&group_policy=none",
      undefined,
      {
        version: "1.35",
      },
    );
    expect(orphan.status).toBe(400);
    expect(orphan.body.errors[0].detail).toContain("orphaned");
  });
});
