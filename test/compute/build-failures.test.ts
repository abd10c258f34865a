import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cloud, startCloud, waitComputesUp } from "./helpers.js";

// What happens when a build goes wrong: a spawn failure on one host (rescheduled to the alternate), a
// request over quota (refused before anything is built), and a compute worker killed with SIGKILL while
// it builds (its service goes down; the instance is rescheduled or ends in ERROR, never BUILD forever).

const ADMIN = "admin:admin";
const USER = "alice:proj1";
const BOOT_MS = 3000;

let cloud: Cloud;

beforeAll(async () => {
  cloud = await startCloud({
    computes: ["compute1", "compute2"],
    overrides: [`compute.fake_boot_time_ms=${BOOT_MS}`, "DEFAULT.service_down_time=4", "compute.report_interval=1"],
  });
  await waitComputesUp(cloud, 2);
}, 120_000);

afterAll(async () => {
  await cloud?.close();
});

const boot = (token: string, server: Record<string, unknown>) =>
  cloud.req(token, "POST", "/servers", { server: { imageRef: cloud.imageId, flavorRef: "1", networks: "none", ...server } }, "2.79");

async function providerOf(host: string): Promise<string> {
  const r = await fetch(`${cloud.placement}/resource_providers?name=${host}`, { headers: { "x-auth-token": ADMIN } }).then((x) => x.json());
  const uuid = r.resource_providers?.[0]?.uuid;
  if (!uuid) throw new Error(`no resource provider for ${host}`);
  return uuid;
}

async function allocationProviders(uuid: string): Promise<string[]> {
  const r = await fetch(`${cloud.placement}/allocations/${uuid}`, { headers: { "x-auth-token": ADMIN } }).then((x) => x.json());
  return Object.keys(r.allocations ?? {});
}

async function createFlavor(id: string, ram: number, extraSpecs?: Record<string, string>): Promise<void> {
  const f = await cloud.req(ADMIN, "POST", "/flavors", { flavor: { name: id, id, ram, vcpus: 1, disk: 1 } });
  expect(f.status).toBe(200);
  if (extraSpecs) expect((await cloud.req(ADMIN, "POST", `/flavors/${id}/os-extra_specs`, { extra_specs: extraSpecs })).status).toBe(200);
}

describe("build failures", () => {
  it("reschedules to the alternate host after a spawn failure on the first", async () => {
    // Fill compute2 so the RAM weigher prefers compute1, where this flavor's spawn is made to fail.
    await createFlavor("filler", 8192);
    await createFlavor("flaky", 512, { "fake:fail_spawn_hosts": "compute1" });
    const filler = await boot(ADMIN, { name: "filler", flavorRef: "filler", availability_zone: "nova:compute2" });
    expect(filler.status).toBe(202);
    await cloud.waitFor(ADMIN, filler.body.server.id, (s) => s.status === "ACTIVE", 30_000);

    const r = await boot(USER, { name: "flaky", flavorRef: "flaky" });
    expect(r.status).toBe(202);
    const id = r.body.server.id;
    const active = await cloud.waitFor(USER, id, (s) => s.status === "ACTIVE" || s.status === "ERROR", 40_000);
    expect(active.status).toBe("ACTIVE");

    const admin = (await cloud.req(ADMIN, "GET", `/servers/${id}`, undefined, "2.79")).body.server;
    expect(admin["OS-EXT-SRV-ATTR:host"]).toBe("compute2");
    // The first attempt really ran on compute1: one build event per host, under the create request.
    const actions = await cloud.req(ADMIN, "GET", `/servers/${id}/os-instance-actions`, undefined, "2.79");
    const create = actions.body.instanceActions.find((a: any) => a.action === "create");
    const detail = await cloud.req(ADMIN, "GET", `/servers/${id}/os-instance-actions/${create.request_id}`, undefined, "2.79");
    const builds = detail.body.instanceAction.events.filter((e: any) => e.event === "compute__do_build_and_run_instance");
    expect(builds.map((e: any) => e.host).sort()).toEqual(["compute1", "compute2"]);
    // Only compute2 holds its allocation: compute1's claim was given back before the retry.
    expect(await allocationProviders(id)).toEqual([await providerOf("compute2")]);

    await cloud.req(USER, "DELETE", `/servers/${id}`);
    await cloud.req(ADMIN, "DELETE", `/servers/${filler.body.server.id}`);
  }, 60_000);

  it("ends in ERROR with MaxRetriesExceeded when the spawn fails on every host", async () => {
    await createFlavor("broken", 512, { "fake:fail_spawn": "true" });
    const r = await boot(USER, { name: "broken", flavorRef: "broken" });
    expect(r.status).toBe(202);
    const s = await cloud.waitFor(USER, r.body.server.id, (x) => x.status === "ERROR", 40_000);
    expect(s["OS-EXT-STS:task_state"]).toBeNull();
    expect(s.fault.message).toMatch(/Exceeded maximum number of retries|Exhausted all hosts/);
    expect(await allocationProviders(r.body.server.id)).toEqual([]);
    await cloud.req(USER, "DELETE", `/servers/${r.body.server.id}`);
  }, 60_000);

  it("refuses a create over the ram and cores quota with 403 and builds nothing", async () => {
    expect((await cloud.req(ADMIN, "PUT", "/os-quota-sets/proj9", { quota_set: { ram: 256, cores: 4 } })).status).toBe(200);
    const r = await boot("dave:proj9", { name: "toomuch" });
    expect(r.status).toBe(403);
    expect(r.body.forbidden.code).toBe(403);
    expect(r.body.forbidden.message).toBe("Quota exceeded for ram: Requested 512, but already used 0 of 256 ram");
    const multi = await boot("dave:proj9", { name: "many", flavorRef: "1", min_count: 5 });
    expect(multi.status).toBe(403);
    expect(multi.body.forbidden.message).toMatch(/^Quota exceeded for (cores, ram|ram, cores|cores): Requested/);
    const list = await cloud.req("dave:proj9", "GET", "/servers");
    expect(list.body.servers).toEqual([]);
    const usage = await cloud.req("dave:proj9", "GET", "/limits");
    expect(usage.body.limits.absolute).toMatchObject({ maxTotalRAMSize: 256, totalRAMUsed: 0, totalInstancesUsed: 0 });
  });

  it("a compute killed with SIGKILL mid-build goes down and its build is rescheduled, not left in BUILD", async () => {
    const r = await boot(ADMIN, { name: "orphan" });
    expect(r.status).toBe(202);
    const id = r.body.server.id;
    const building = await cloud.waitFor(ADMIN, id, (s) => s["OS-EXT-STS:task_state"] === "spawning", 20_000);
    const victim: string = building["OS-EXT-SRV-ATTR:host"];
    const survivor = victim === "compute1" ? "compute2" : "compute1";
    await cloud.stopProc(`compute:${victim}`);

    // The service goes down once its heartbeat is older than service_down_time (4 s here).
    const until = Date.now() + 20_000;
    let state = "";
    while (Date.now() < until) {
      const svc = await cloud.req(ADMIN, "GET", `/os-services?binary=nova-compute&host=${victim}`);
      state = svc.body.services?.[0]?.state;
      if (state === "down") break;
      await new Promise((res) => setTimeout(res, 250));
    }
    expect(state).toBe("down");

    const done = await cloud.waitFor(ADMIN, id, (s) => s.status !== "BUILD", 30_000);
    expect(done.status).toBe("ACTIVE");
    expect(done["OS-EXT-SRV-ATTR:host"]).toBe(survivor);
    expect(await allocationProviders(id)).toEqual([await providerOf(survivor)]);
    // The dead host's hypervisor no longer counts the instance in Placement.
    const usages = await fetch(`${cloud.placement}/resource_providers/${await providerOf(victim)}/usages`, {
      headers: { "x-auth-token": ADMIN },
    }).then((x) => x.json());
    expect(usages.usages.MEMORY_MB ?? 0).toBe(0);
    await cloud.req(ADMIN, "DELETE", `/servers/${id}`);
  }, 90_000);
});
