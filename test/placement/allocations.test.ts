import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Placement, client, startPlacement } from "./helpers.js";

let p: Placement;
let api: ReturnType<typeof client>;
let cn: string;
beforeAll(async () => {
  p = await startPlacement();
  api = client(p.url, { version: "1.39" });
  cn = (await api("POST", "/resource_providers", { name: "compute1" })).body.uuid;
  await api("PUT", `/resource_providers/${cn}/inventories`, {
    resource_provider_generation: 0,
    inventories: {
      VCPU: { total: 4, allocation_ratio: 2.0 },
      MEMORY_MB: { total: 2048, min_unit: 128, step_size: 128 },
      DISK_GB: { total: 20, max_unit: 10 },
    },
  });
});
afterAll(async () => p.close());

const body = (rp: string, resources: Record<string, number>, gen: number | null, extra: Record<string, unknown> = {}) => ({
  allocations: { [rp]: { resources } },
  project_id: "proj",
  user_id: "user",
  consumer_generation: gen,
  consumer_type: "INSTANCE",
  ...extra,
});

describe("allocations", () => {
  it("claims, reads back and replaces allocations with consumer generations", async () => {
    const c = randomUUID();
    expect((await api("PUT", `/allocations/${c}`, body(cn, { VCPU: 2, MEMORY_MB: 512 }, null))).status).toBe(204);
    const got = await api("GET", `/allocations/${c}`);
    expect(got.body).toMatchObject({ project_id: "proj", user_id: "user", consumer_generation: 1, consumer_type: "INSTANCE" });
    expect(got.body.allocations[cn].resources).toEqual({ VCPU: 2, MEMORY_MB: 512 });
    // A stale consumer generation loses.
    const stale = await api("PUT", `/allocations/${c}`, body(cn, { VCPU: 1 }, 0));
    expect(stale.status).toBe(409);
    expect(stale.body.errors[0]).toMatchObject({ code: "placement.concurrent_update" });
    expect(stale.body.errors[0].detail).toContain("consumer generation conflict - expected 1 but got 0");
    // Claiming "a new consumer" (null) for an existing one also loses.
    expect((await api("PUT", `/allocations/${c}`, body(cn, { VCPU: 1 }, null))).status).toBe(409);
    expect((await api("PUT", `/allocations/${c}`, body(cn, { VCPU: 1 }, 1))).status).toBe(204);
    expect((await api("GET", `/resource_providers/${cn}/usages`)).body.usages).toEqual({ VCPU: 1, MEMORY_MB: 0, DISK_GB: 0 });
    const byRp = await api("GET", `/resource_providers/${cn}/allocations`);
    expect(byRp.body.allocations[c]).toEqual({ resources: { VCPU: 1 }, consumer_generation: 2 });
    expect((await api("DELETE", `/allocations/${c}`)).status).toBe(204);
    expect((await api("DELETE", `/allocations/${c}`)).status).toBe(404);
    expect((await api("GET", `/allocations/${c}`)).body).toEqual({ allocations: {} });
  });

  it("enforces capacity and min_unit/max_unit/step_size", async () => {
    const over = await api("PUT", `/allocations/${randomUUID()}`, body(cn, { VCPU: 9 }, null));
    expect(over.status).toBe(409);
    expect(over.body.errors[0].detail).toContain("would exceed the capacity");
    expect((await api("PUT", `/allocations/${randomUUID()}`, body(cn, { VCPU: 8 }, null))).status).toBe(204);
    expect((await api("PUT", `/allocations/${randomUUID()}`, body(cn, { VCPU: 1 }, null))).status).toBe(409);
    const step = await api("PUT", `/allocations/${randomUUID()}`, body(cn, { MEMORY_MB: 100 }, null));
    expect(step.status).toBe(409);
    expect(step.body.errors[0].detail).toContain("violate inventory constraints");
    expect((await api("PUT", `/allocations/${randomUUID()}`, body(cn, { DISK_GB: 11 }, null))).status).toBe(409);
    const noInv = await api("PUT", `/allocations/${randomUUID()}`, body(cn, { PCI_DEVICE: 1 }, null));
    expect(noInv.status).toBe(409);
    const noRp = await api("PUT", `/allocations/${randomUUID()}`, body(randomUUID(), { VCPU: 1 }, null));
    expect(noRp.status).toBe(400);
    expect(noRp.body.errors[0].detail).toContain("that does not exist");
    const badConsumer = await api("PUT", "/allocations/not-a-uuid", body(cn, { VCPU: 1 }, null));
    expect(badConsumer.status).toBe(400);
    const missingGen = await api("PUT", `/allocations/${randomUUID()}`, {
      allocations: { [cn]: { resources: { DISK_GB: 1 } } },
      project_id: "p",
      user_id: "u",
      consumer_type: "INSTANCE",
    });
    expect(missingGen.status).toBe(400);
    expect(missingGen.body.errors[0].detail).toContain("'consumer_generation' is a required property");
  });

  it("accepts the pre-1.12 list format and pre-1.8 bodies without owners", async () => {
    const c = randomUUID();
    const res = await api(
      "PUT",
      `/allocations/${c}`,
      { allocations: [{ resource_provider: { uuid: cn }, resources: { DISK_GB: 2 } }] },
      { version: "1.7" },
    );
    expect(res.status).toBe(204);
    const old = await api("GET", `/allocations/${c}`, undefined, { version: "1.11" });
    expect(old.body).toEqual({ allocations: { [cn]: { generation: expect.any(Number), resources: { DISK_GB: 2 } } } });
    const modern = await api("GET", `/allocations/${c}`);
    expect(modern.body.project_id).toBe("00000000-0000-0000-0000-000000000000");
    await api("DELETE", `/allocations/${c}`);
  });

  it("moves allocations between consumers atomically with POST /allocations", async () => {
    const migration = randomUUID();
    const instance = randomUUID();
    await api("PUT", `/allocations/${instance}`, body(cn, { DISK_GB: 4 }, null));
    const move = await api("POST", "/allocations", {
      [instance]: { allocations: {}, project_id: "proj", user_id: "user", consumer_generation: 1, consumer_type: "INSTANCE" },
      [migration]: { ...body(cn, { DISK_GB: 4 }, null), consumer_type: "MIGRATION" },
    });
    expect(move.status).toBe(204);
    expect((await api("GET", `/allocations/${instance}`)).body.allocations).toEqual({});
    expect((await api("GET", `/allocations/${migration}`)).body.allocations[cn].resources).toEqual({ DISK_GB: 4 });
    // All or nothing: one bad consumer leaves the other untouched.
    const other = randomUUID();
    const failing = await api("POST", "/allocations", {
      [other]: body(cn, { DISK_GB: 1 }, null),
      [migration]: { ...body(cn, { DISK_GB: 10 }, 99), consumer_type: "MIGRATION" },
    });
    expect(failing.status).toBe(409);
    expect((await api("GET", `/allocations/${other}`)).body.allocations).toEqual({});
    await api("DELETE", `/allocations/${migration}`);
  });

  it("reports project usages, grouped by consumer type from 1.38", async () => {
    const a = randomUUID();
    const b = randomUUID();
    await api("PUT", `/allocations/${a}`, body(cn, { DISK_GB: 3 }, null, { project_id: "tenant1", user_id: "alice" }));
    await api(
      "PUT",
      `/allocations/${b}`,
      body(cn, { DISK_GB: 2 }, null, { project_id: "tenant1", user_id: "bob", consumer_type: "MIGRATION" }),
    );
    const old = await api("GET", "/usages?project_id=tenant1", undefined, { version: "1.37" });
    expect(old.body).toEqual({ usages: { DISK_GB: 5 } });
    const alice = await api("GET", "/usages?project_id=tenant1&user_id=alice", undefined, { version: "1.9" });
    expect(alice.body).toEqual({ usages: { DISK_GB: 3 } });
    const typed = await api("GET", "/usages?project_id=tenant1");
    expect(typed.body.usages).toEqual({ INSTANCE: { consumer_count: 1, DISK_GB: 3 }, MIGRATION: { consumer_count: 1, DISK_GB: 2 } });
    const all = await api("GET", "/usages?project_id=tenant1&consumer_type=all");
    expect(all.body.usages).toEqual({ all: { consumer_count: 2, DISK_GB: 5 } });
    expect((await api("GET", "/usages")).status).toBe(400);
    // A project reader may read its own usages, not another project's.
    expect((await api("GET", "/usages?project_id=tenant1", undefined, { token: "alice:tenant1" })).status).toBe(200);
    expect((await api("GET", "/usages?project_id=tenant2", undefined, { token: "alice:tenant1" })).status).toBe(403);
    await api("DELETE", `/allocations/${a}`);
    await api("DELETE", `/allocations/${b}`);
  });
});
