import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cloud, req, upCloud, waitFor } from "./cloud.js";

// 200 concurrent creates (the size, in CI too) against one fake node that holds exactly 100 m1.tiny (1 VCPU, 512 MB, 1 GB):
// Placement's claims must neither over-allocate nor leak, and every server must end ACTIVE or ERROR.
const N = 200;
const CAPACITY = N / 2;
const MV = { "openstack-api-version": "compute 2.79", "x-openstack-nova-api-version": "2.79" };
const PMV = { "openstack-api-version": "placement 1.28" };

let cloud: Cloud;
let token = "";
let imageId = "";
let rpUuid = "";

beforeAll(async () => {
  cloud = await upCloud(
    "concurrency",
    [
      `compute.resource_provider_vcpus=${CAPACITY}`,
      "compute.cpu_allocation_ratio=1",
      `compute.resource_provider_memory_mb=${CAPACITY * 512 * 4 + 512}`,
      `compute.resource_provider_disk_gb=${CAPACITY * 4}`,
    ],
    1,
  );
  token = await cloud.adminToken();
  const images = await req("GET", `${cloud.urls.image}/v2/images?name=cirros`, { token });
  imageId = images.body.images[0].id;
  const project = (await req("GET", `${cloud.urls.identity}/projects?name=admin`, { token })).body.projects[0].id;
  const quota = await req("PUT", `${cloud.urls.compute}/os-quota-sets/${project}`, {
    token,
    body: { quota_set: { instances: -1, cores: -1, ram: -1 } },
  });
  expect(quota.status, quota.text).toBe(200);
  const rps = await req("GET", `${cloud.urls.placement}/resource_providers`, { token, headers: PMV });
  expect(rps.body.resource_providers).toHaveLength(1);
  rpUuid = rps.body.resource_providers[0].uuid;
}, 240_000);

afterAll(async () => {
  await cloud?.down();
}, 120_000);

const create = (name: string) =>
  req("POST", `${cloud.urls.compute}/servers`, {
    token,
    headers: MV,
    body: { server: { name, imageRef: imageId, flavorRef: "1", networks: "none" } },
    timeoutMs: 120_000,
  });

const servers = async () =>
  (await req("GET", `${cloud.urls.compute}/servers/detail?limit=1000`, { token, headers: MV })).body.servers as Array<{
    id: string;
    name: string;
    status: string;
    fault?: { code: number; message: string };
  }>;

/** Every server out of BUILD (and every delete finished); the final list. */
const settled = (expected?: number) =>
  waitFor(
    "servers to settle",
    async () => {
      const all = await servers();
      if (expected !== undefined && all.length !== expected) return undefined;
      return all.some((s) => s.status === "BUILD" || s.status === "DELETED") ? undefined : all;
    },
    300_000,
    500,
  );

const usages = async () =>
  (await req("GET", `${cloud.urls.placement}/resource_providers/${rpUuid}/usages`, { token, headers: PMV })).body.usages;

describe("concurrent server creates and deletes", () => {
  it(`${N} concurrent creates on capacity for ${CAPACITY}: exactly ${CAPACITY} ACTIVE, the rest ERROR with NoValidHost`, async () => {
    const replies = await Promise.all(Array.from({ length: N }, (_, i) => create(`burst-${i}`)));
    expect(replies.map((r) => r.status)).toEqual(Array(N).fill(202));

    const all = await settled(N);
    const active = all.filter((s) => s.status === "ACTIVE");
    const errored = all.filter((s) => s.status === "ERROR");
    expect(active).toHaveLength(CAPACITY);
    expect(errored).toHaveLength(N - CAPACITY);
    for (const s of errored) expect(s.fault?.message ?? "", s.name).toMatch(/No valid host was found/);

    expect(await usages()).toEqual({ VCPU: CAPACITY, MEMORY_MB: CAPACITY * 512, DISK_GB: CAPACITY });
    // Every ACTIVE server holds exactly its flavor, every ERROR server holds nothing.
    for (const s of active.slice(0, 5)) {
      const a = await req("GET", `${cloud.urls.placement}/allocations/${s.id}`, { token, headers: PMV });
      expect(a.body.allocations[rpUuid].resources).toEqual({ VCPU: 1, MEMORY_MB: 512, DISK_GB: 1 });
    }
    for (const s of errored.slice(0, 5)) {
      const a = await req("GET", `${cloud.urls.placement}/allocations/${s.id}`, { token, headers: PMV });
      expect(a.body.allocations).toEqual({});
    }
  }, 240_000);

  it("concurrent deletes and creates on the one host leave no leaked allocation", async () => {
    const before = await servers();
    const active = before.filter((s) => s.status === "ACTIVE");
    const victims = [...before.filter((s) => s.status === "ERROR"), ...active.slice(0, CAPACITY / 2)];
    const fresh = CAPACITY / 2 + 5; // 5 more than the room the deletes make: some must fail, whichever way the race goes
    const ops = [
      ...victims.map((s) => req("DELETE", `${cloud.urls.compute}/servers/${s.id}`, { token, headers: MV, timeoutMs: 120_000 })),
      ...Array.from({ length: fresh }, (_, i) => create(`churn-${i}`)),
    ];
    const replies = await Promise.all(ops);
    for (const r of replies.slice(0, victims.length)) expect(r.status).toBe(204);
    for (const r of replies.slice(victims.length)) expect(r.status).toBe(202);

    const all = await settled(before.length - victims.length + fresh);
    const nowActive = all.filter((s) => s.status === "ACTIVE");
    expect(nowActive.length).toBeLessThanOrEqual(CAPACITY);
    expect(all.every((s) => s.status === "ACTIVE" || s.status === "ERROR")).toBe(true);
    expect(await usages()).toEqual({ VCPU: nowActive.length, MEMORY_MB: nowActive.length * 512, DISK_GB: nowActive.length });

    // How many creates lost the race to the deletes depends on timing; what must hold is that every freed
    // slot is usable again: filling the rest of the host reaches exactly its capacity (a leaked allocation
    // would leave it short), and one more is refused.
    const room = CAPACITY - nowActive.length;
    const fill = await Promise.all(Array.from({ length: room + 3 }, (_, i) => create(`fill-${i}`)));
    for (const r of fill) expect(r.status).toBe(202);
    const filled = await settled(all.length + room + 3);
    expect(filled.filter((s) => s.status === "ACTIVE")).toHaveLength(CAPACITY);
    expect(await usages()).toEqual({ VCPU: CAPACITY, MEMORY_MB: CAPACITY * 512, DISK_GB: CAPACITY });

    const audit = await cloud.os(["manage", "placement", "audit", "--verbose"]);
    expect(audit.code, audit.stdout + audit.stderr).toBe(0);
    expect(audit.stdout).toContain(`Processed ${CAPACITY} allocations.`);
    expect(audit.stdout).not.toContain("can be deleted");
  }, 240_000);

  it("placement audit finds an allocation of a consumer that is no instance, and --delete heals it", async () => {
    const ghost = randomUUID();
    const put = await req("PUT", `${cloud.urls.placement}/allocations/${ghost}`, {
      token,
      headers: PMV,
      body: {
        // Memory only: the node's VCPUs may all be taken by now, its memory is not.
        allocations: { [rpUuid]: { resources: { MEMORY_MB: 64 } } },
        project_id: randomUUID(),
        user_id: randomUUID(),
        consumer_generation: null,
      },
    });
    expect(put.status, put.text).toBe(204);

    const found = await cloud.os(["manage", "placement", "audit"]);
    expect(found.code, found.stderr).toBe(3);
    expect(found.stdout).toContain(`Allocations for consumer UUID ${ghost} on Resource Provider ${rpUuid} can be deleted`);
    expect(found.stdout.match(/can be deleted/g)).toHaveLength(1);

    const healed = await cloud.os(["manage", "placement", "audit", "--delete"]);
    expect(healed.code, healed.stderr).toBe(4);
    expect(healed.stdout).toContain(`Deleted allocations for consumer UUID ${ghost}`);
    expect((await req("GET", `${cloud.urls.placement}/allocations/${ghost}`, { token, headers: PMV })).body.allocations).toEqual({});

    const clean = await cloud.os(["manage", "placement", "audit"]);
    expect(clean.code, clean.stdout).toBe(0);
    const active = (await servers()).filter((s) => s.status === "ACTIVE").length;
    expect(await usages()).toEqual({ VCPU: active, MEMORY_MB: active * 512, DISK_GB: active });
  }, 120_000);
});
