import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Db, openDatabase } from "../../src/engine/common/db/database.js";
import { type Placement, client, startPlacement } from "./helpers.js";

// GET /allocation_candidates answers from an in-memory snapshot that, between requests, re-reads only
// the providers whose usage changed (usage_changes). Whoever changes allocations — this placement
// process, or another one writing the same database — the next answer shows the usage as it is.

let p: Placement;
let api: ReturnType<typeof client>;
let other: Db;
const uuids: string[] = [];
const COUNT = 240; // more than one refresh reads provider by provider (200)

beforeAll(async () => {
  p = await startPlacement();
  api = client(p.url, { version: "1.36" });
  for (let i = 0; i < COUNT; i++) {
    const rp = (await api("POST", "/resource_providers", { name: `cn${i}` })).body;
    uuids.push(rp.uuid);
    await api("PUT", `/resource_providers/${rp.uuid}/inventories`, {
      resource_provider_generation: 0,
      inventories: { VCPU: { total: 8 }, MEMORY_MB: { total: 4096 } },
    });
  }
  other = openDatabase(p.db.name);
});
afterAll(async () => {
  other.close();
  await p.close();
});

/** VCPU used per provider uuid, as the candidates' summaries say. */
async function vcpuUsed(): Promise<Map<string, number>> {
  const res = await api("GET", `/allocation_candidates?resources=VCPU:1,MEMORY_MB:64&limit=${COUNT}`);
  expect(res.status).toBe(200);
  return new Map(
    Object.entries(res.body.provider_summaries as Record<string, { resources: { VCPU: { used: number } } }>).map(([u, s]) => [
      u,
      s.resources.VCPU.used,
    ]),
  );
}

const claim = (consumer: string, rp: string, vcpus: number) =>
  api("PUT", `/allocations/${consumer}`, {
    allocations: { [rp]: { resources: { VCPU: vcpus, MEMORY_MB: 64 } } },
    project_id: randomUUID(),
    user_id: randomUUID(),
    consumer_generation: null,
  });

describe("allocation candidates after allocations change", () => {
  it("show a claim and its deletion made through this placement", async () => {
    expect([...(await vcpuUsed()).values()].every((n) => n === 0)).toBe(true);
    const consumer = randomUUID();
    expect((await claim(consumer, uuids[3] as string, 3)).status).toBe(204);
    let used = await vcpuUsed();
    expect(used.get(uuids[3] as string)).toBe(3);
    expect([...used.values()].reduce((a, b) => a + b, 0)).toBe(3);
    // A provider that no longer fits drops out of the candidates.
    expect((await claim(randomUUID(), uuids[3] as string, 5)).status).toBe(204);
    used = await vcpuUsed();
    expect(used.has(uuids[3] as string)).toBe(false);
    expect((await api("DELETE", `/allocations/${consumer}`)).status).toBe(204);
    used = await vcpuUsed();
    expect(used.get(uuids[3] as string)).toBe(5);
  });

  it("show allocations another process changed in the same database, a few or hundreds at once", async () => {
    await vcpuUsed();
    const rpId = (uuid: string) => other.prepare("SELECT id FROM resource_providers WHERE uuid = ?").pluck().get(uuid) as number;
    const vcpu = other.prepare("SELECT id FROM resource_classes WHERE name = 'VCPU'").pluck().get() as number;
    const consumerId = randomUUID();
    const now = new Date().toISOString();
    const project = other.prepare("INSERT INTO projects (external_id, created_at) VALUES (?, ?)").run(randomUUID(), now).lastInsertRowid;
    const user = other.prepare("INSERT INTO users (external_id, created_at) VALUES (?, ?)").run(randomUUID(), now).lastInsertRowid;
    other
      .prepare("INSERT INTO consumers (uuid, project_id, user_id, generation, created_at) VALUES (?, ?, ?, 0, ?)")
      .run(consumerId, project, user, now);
    const insert = other.prepare(
      "INSERT INTO allocations (resource_provider_id, consumer_id, resource_class_id, used, created_at) VALUES (?, ?, ?, ?, ?)",
    );
    insert.run(rpId(uuids[10] as string), consumerId, vcpu, 2, now);
    expect((await vcpuUsed()).get(uuids[10] as string)).toBe(2);

    // Past the per-provider refresh: every provider changed in one transaction.
    other.transaction(() => {
      for (const u of uuids.slice(20)) insert.run(rpId(u), consumerId, vcpu, 1, now);
    })();
    const used = await vcpuUsed();
    expect(used.get(uuids[25] as string)).toBe(1);
    expect(used.get(uuids[10] as string)).toBe(2);
    other.prepare("DELETE FROM allocations WHERE consumer_id = ?").run(consumerId);
    const after = await vcpuUsed();
    expect(after.get(uuids[25] as string)).toBe(0);
    expect(after.get(uuids[10] as string)).toBe(0);
  });
});
