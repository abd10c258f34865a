import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Placement, client, startPlacement } from "./helpers.js";

let p: Placement;
let api: ReturnType<typeof client>;
beforeAll(async () => {
  p = await startPlacement();
  api = client(p.url, { version: "1.39" });
});
afterAll(async () => p.close());

describe("resource providers", () => {
  it("creates, shows, renames, nests and deletes providers", async () => {
    const root = await api("POST", "/resource_providers", { name: "cn1", uuid: "11111111-1111-4111-8111-111111111111" });
    expect(root.status).toBe(200);
    expect(root.headers.get("location")).toBe("/resource_providers/11111111-1111-4111-8111-111111111111");
    expect(root.body).toMatchObject({
      name: "cn1",
      generation: 0,
      parent_provider_uuid: null,
      root_provider_uuid: "11111111-1111-4111-8111-111111111111",
    });
    expect(root.body.links.map((l: { rel: string }) => l.rel)).toEqual([
      "self",
      "inventories",
      "usages",
      "aggregates",
      "traits",
      "allocations",
    ]);

    const child = await api("POST", "/resource_providers", { name: "cn1_numa0", parent_provider_uuid: root.body.uuid });
    expect(child.body.root_provider_uuid).toBe(root.body.uuid);
    const tree = await api("GET", `/resource_providers?in_tree=${child.body.uuid}`);
    expect(tree.body.resource_providers.map((r: { name: string }) => r.name).sort()).toEqual(["cn1", "cn1_numa0"]);

    const dup = await api("POST", "/resource_providers", { name: "cn1" });
    expect(dup.status).toBe(409);
    expect(dup.body.errors[0].code).toBe("placement.duplicate_name");

    const parentDelete = await api("DELETE", `/resource_providers/${root.body.uuid}`);
    expect(parentDelete.status).toBe(409);
    expect(parentDelete.body.errors[0].code).toBe("placement.resource_provider.cannot_delete_parent");

    const renamed = await api("PUT", `/resource_providers/${child.body.uuid}`, { name: "numa0" });
    expect(renamed.status).toBe(200);
    expect(renamed.body.name).toBe("numa0");
    // Un-parenting is refused before 1.37, allowed from it.
    expect(
      (await api("PUT", `/resource_providers/${child.body.uuid}`, { name: "numa0", parent_provider_uuid: null }, { version: "1.36" }))
        .status,
    ).toBe(400);
    const loose = await api("PUT", `/resource_providers/${child.body.uuid}`, { name: "numa0", parent_provider_uuid: null });
    expect(loose.body.root_provider_uuid).toBe(child.body.uuid);
    expect((await api("DELETE", `/resource_providers/${child.body.uuid}`)).status).toBe(204);
    expect((await api("GET", `/resource_providers/${child.body.uuid}`)).status).toBe(404);
  });

  it("validates bodies with a message naming the problem", async () => {
    const res = await api("POST", "/resource_providers", { uuid: "not-a-uuid" });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].detail).toContain("'name' is a required property");
    const extra = await api("POST", "/resource_providers", { name: "x", colour: "red" });
    expect(extra.body.errors[0].detail).toContain("'colour' was unexpected");
    const media = await api("POST", "/resource_providers", "name=x", { headers: { "content-type": "text/plain" } });
    expect(media.status).toBe(415);
  });
});

describe("inventories", () => {
  let uuid: string;
  it("sets all inventory with a generation and reports capacity through candidates", async () => {
    uuid = (await api("POST", "/resource_providers", { name: "cn2" })).body.uuid;
    const put = await api("PUT", `/resource_providers/${uuid}/inventories`, {
      resource_provider_generation: 0,
      inventories: { VCPU: { total: 8, allocation_ratio: 4.0 }, MEMORY_MB: { total: 4096, reserved: 512 } },
    });
    expect(put.status).toBe(200);
    expect(put.body.resource_provider_generation).toBe(1);
    expect(put.body.inventories.VCPU).toEqual({
      total: 8,
      reserved: 0,
      min_unit: 1,
      max_unit: 2147483647,
      step_size: 1,
      allocation_ratio: 4,
    });
    const stale = await api("PUT", `/resource_providers/${uuid}/inventories`, { resource_provider_generation: 0, inventories: {} });
    expect(stale.status).toBe(409);
    expect(stale.body.errors[0].code).toBe("placement.concurrent_update");
    const cands = await api("GET", `/allocation_candidates?resources=VCPU:1&in_tree=${uuid}`);
    expect(cands.body.provider_summaries[uuid].resources).toEqual({
      VCPU: { capacity: 32, used: 0 },
      MEMORY_MB: { capacity: 3584, used: 0 },
    });
  });

  it("adds, updates, shows and deletes one class", async () => {
    const add = await api("POST", `/resource_providers/${uuid}/inventories`, {
      resource_class: "DISK_GB",
      total: 100,
      resource_provider_generation: 1,
    });
    expect(add.status).toBe(201);
    expect(add.body.resource_provider_generation).toBe(2);
    const again = await api("POST", `/resource_providers/${uuid}/inventories`, {
      resource_class: "DISK_GB",
      total: 100,
      resource_provider_generation: 2,
    });
    expect(again.status).toBe(409);
    const upd = await api("PUT", `/resource_providers/${uuid}/inventories/DISK_GB`, {
      total: 200,
      step_size: 10,
      resource_provider_generation: 2,
    });
    expect(upd.body).toMatchObject({ total: 200, step_size: 10, resource_provider_generation: 3 });
    expect((await api("GET", `/resource_providers/${uuid}/inventories/DISK_GB`)).body.total).toBe(200);
    expect((await api("DELETE", `/resource_providers/${uuid}/inventories/DISK_GB`)).status).toBe(204);
    expect((await api("GET", `/resource_providers/${uuid}/inventories/DISK_GB`)).status).toBe(404);
  });

  it("rejects invalid inventory: unknown class, reserved over total, bad numbers", async () => {
    const gen = (await api("GET", `/resource_providers/${uuid}`)).body.generation;
    const unknown = await api("PUT", `/resource_providers/${uuid}/inventories`, {
      resource_provider_generation: gen,
      inventories: { CUSTOM_NOPE: { total: 1 } },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors[0].detail).toContain("No such resource class CUSTOM_NOPE");
    const reserved = await api("PUT", `/resource_providers/${uuid}/inventories`, {
      resource_provider_generation: gen,
      inventories: { VCPU: { total: 4, reserved: 5 } },
    });
    expect(reserved.status).toBe(400);
    expect(reserved.body.errors[0].detail).toContain("reserved value is greater than");
    // reserved == total: refused before 1.26, allowed from it.
    const equalOld = await api(
      "PUT",
      `/resource_providers/${uuid}/inventories`,
      { resource_provider_generation: gen, inventories: { VCPU: { total: 4, reserved: 4 } } },
      { version: "1.25" },
    );
    expect(equalOld.status).toBe(400);
    const zero = await api("PUT", `/resource_providers/${uuid}/inventories`, {
      resource_provider_generation: gen,
      inventories: { VCPU: { total: 0 } },
    });
    expect(zero.status).toBe(400);
    expect(zero.body.errors[0].detail).toContain("less than the minimum of 1");
    const ratio = await api("PUT", `/resource_providers/${uuid}/inventories`, {
      resource_provider_generation: gen,
      inventories: { VCPU: { total: 4, allocation_ratio: 0 } },
    });
    expect(ratio.status).toBe(400);
  });

  it("refuses to delete inventory that is in use (409 placement.inventory.inuse)", async () => {
    const consumer = "22222222-2222-4222-8222-222222222222";
    const alloc = await api("PUT", `/allocations/${consumer}`, {
      allocations: { [uuid]: { resources: { VCPU: 2 } } },
      project_id: "p1",
      user_id: "u1",
      consumer_generation: null,
      consumer_type: "INSTANCE",
    });
    expect(alloc.status).toBe(204);
    const del = await api("DELETE", `/resource_providers/${uuid}/inventories/VCPU`);
    expect(del.status).toBe(409);
    expect(del.body.errors[0].code).toBe("placement.inventory.inuse");
    const gen = (await api("GET", `/resource_providers/${uuid}`)).body.generation;
    const replace = await api("PUT", `/resource_providers/${uuid}/inventories`, {
      resource_provider_generation: gen,
      inventories: { MEMORY_MB: { total: 1024 } },
    });
    expect(replace.status).toBe(409);
    expect(replace.body.errors[0].code).toBe("placement.inventory.inuse");
    const rpDelete = await api("DELETE", `/resource_providers/${uuid}`);
    expect(rpDelete.status).toBe(409);
    expect(rpDelete.body.errors[0].code).toBe("placement.resource_provider.inuse");
    const usages = await api("GET", `/resource_providers/${uuid}/usages`);
    expect(usages.body.usages).toEqual({ VCPU: 2, MEMORY_MB: 0 });
  });
});

describe("resource classes, traits and aggregates", () => {
  it("lists standard classes and manages custom ones", async () => {
    const list = await api("GET", "/resource_classes");
    const names = list.body.resource_classes.map((r: { name: string }) => r.name);
    expect(names).toEqual(expect.arrayContaining(["VCPU", "MEMORY_MB", "DISK_GB", "PCI_DEVICE", "SRIOV_NET_VF", "PCPU", "VGPU"]));
    expect((await api("POST", "/resource_classes", { name: "CUSTOM_GOLD" })).status).toBe(201);
    expect((await api("POST", "/resource_classes", { name: "CUSTOM_GOLD" })).status).toBe(409);
    expect((await api("POST", "/resource_classes", { name: "GOLD" })).status).toBe(400);
    expect((await api("PUT", "/resource_classes/CUSTOM_SILVER")).status).toBe(201);
    expect((await api("PUT", "/resource_classes/CUSTOM_SILVER")).status).toBe(204);
    expect((await api("GET", "/resource_classes/CUSTOM_SILVER")).body.name).toBe("CUSTOM_SILVER");
    expect((await api("DELETE", "/resource_classes/VCPU")).status).toBe(400);
    expect((await api("DELETE", "/resource_classes/CUSTOM_SILVER")).status).toBe(204);
    expect((await api("GET", "/resource_classes/CUSTOM_SILVER")).status).toBe(404);
  });

  it("manages traits and provider traits with generations", async () => {
    const all = await api("GET", "/traits?name=startswith:HW_CPU_X86");
    expect(all.body.traits).toContain("HW_CPU_X86_AVX2");
    expect((await api("PUT", "/traits/CUSTOM_FAST")).status).toBe(201);
    expect((await api("PUT", "/traits/CUSTOM_FAST")).status).toBe(204);
    expect((await api("PUT", "/traits/FAST")).status).toBe(400);
    expect((await api("GET", "/traits/CUSTOM_FAST")).status).toBe(204);
    expect((await api("DELETE", "/traits/COMPUTE_NODE")).status).toBe(400);
    const rp = (await api("POST", "/resource_providers", { name: "traity" })).body;
    const set = await api("PUT", `/resource_providers/${rp.uuid}/traits`, {
      traits: ["CUSTOM_FAST", "HW_CPU_X86_AVX2"],
      resource_provider_generation: 0,
    });
    expect(set.body).toEqual({ traits: ["CUSTOM_FAST", "HW_CPU_X86_AVX2"], resource_provider_generation: 1 });
    const stale = await api("PUT", `/resource_providers/${rp.uuid}/traits`, { traits: [], resource_provider_generation: 0 });
    expect(stale.status).toBe(409);
    expect(stale.body.errors[0].code).toBe("placement.concurrent_update");
    const missing = await api("PUT", `/resource_providers/${rp.uuid}/traits`, { traits: ["CUSTOM_NOPE"], resource_provider_generation: 1 });
    expect(missing.status).toBe(400);
    expect((await api("DELETE", "/traits/CUSTOM_FAST")).status).toBe(409);
    expect((await api("GET", "/traits?associated=true")).body.traits).toEqual(["CUSTOM_FAST", "HW_CPU_X86_AVX2"]);
    const withTrait = await api("GET", "/resource_providers?required=CUSTOM_FAST");
    expect(withTrait.body.resource_providers.map((r: { name: string }) => r.name)).toEqual(["traity"]);
    const without = await api("GET", "/resource_providers?required=!CUSTOM_FAST");
    expect(without.body.resource_providers.map((r: { name: string }) => r.name)).not.toContain("traity");
    const anyOf = await api("GET", "/resource_providers?required=in:CUSTOM_FAST,STORAGE_DISK_SSD");
    expect(anyOf.body.resource_providers).toHaveLength(1);
    expect((await api("DELETE", `/resource_providers/${rp.uuid}/traits`)).status).toBe(204);
    expect((await api("GET", `/resource_providers/${rp.uuid}/traits`)).body.traits).toEqual([]);
  });

  it("sets aggregates (1.19 format with generation) and filters by member_of", async () => {
    const rp = (await api("POST", "/resource_providers", { name: "aggy" })).body;
    const agg = "33333333-3333-4333-8333-333333333333";
    const set = await api("PUT", `/resource_providers/${rp.uuid}/aggregates`, { aggregates: [agg], resource_provider_generation: 0 });
    expect(set.status).toBe(200);
    expect(set.body).toEqual({ aggregates: [agg], resource_provider_generation: 1 });
    const stale = await api("PUT", `/resource_providers/${rp.uuid}/aggregates`, { aggregates: [], resource_provider_generation: 0 });
    expect(stale.status).toBe(409);
    const legacy = await api("GET", `/resource_providers/${rp.uuid}/aggregates`, undefined, { version: "1.18" });
    expect(legacy.body).toEqual({ aggregates: [agg] });
    const members = await api("GET", `/resource_providers?member_of=in:${agg},44444444-4444-4444-8444-444444444444`);
    expect(members.body.resource_providers.map((r: { name: string }) => r.name)).toEqual(["aggy"]);
    const notMembers = await api("GET", `/resource_providers?member_of=!${agg}`);
    expect(notMembers.body.resource_providers.map((r: { name: string }) => r.name)).not.toContain("aggy");
    expect((await api("GET", "/resource_providers?member_of=nope")).status).toBe(400);
  });
});
