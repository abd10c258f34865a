import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/engine/common/config/config.js";
import type { RequestContext } from "../../src/engine/common/context.js";
import {
  type ComputeDriver,
  type Instance,
  InstanceDeployFailure,
  InstanceInvalidState,
  InstanceNotFound,
  InstanceNotRunning,
  PowerState,
  UnknownDriver,
  loadDriver,
} from "../../src/hypervisor/driver.js";
import { FakeDriver } from "../../src/hypervisor/fake/driver.js";

const ctx: RequestContext = { roles: ["admin"] };

function instance(n: number, extra: Partial<Instance> = {}): Instance {
  return {
    uuid: `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`,
    name: `instance-${n.toString(16).padStart(8, "0")}`,
    hostname: `vm${n}`,
    flavor: { flavorid: "1", name: "m1.tiny", vcpus: 1, memory_mb: 512, root_gb: 1, ephemeral_gb: 0, swap: 0, extra_specs: {} },
    vm_state: "building",
    task_state: "spawning",
    power_state: 0,
    host: "compute1",
    node: "compute1",
    ...extra,
  };
}

async function driver(sets: string[] = [], dir = mkdtempSync(join(tmpdir(), "fake-driver-")), host = "compute1"): Promise<FakeDriver> {
  const d = (await loadDriver("fake", { host, stateDir: dir, config: loadConfig(undefined, sets) })) as FakeDriver;
  await d.init_host(host);
  return d;
}

const spawn = (d: ComputeDriver, i: Instance, image: Record<string, unknown> = { id: "img" }) => d.spawn(ctx, i, image, [], null, [], null);

describe("fake driver", () => {
  it("spawns a running guest that prints a boot log ending at a login prompt", async () => {
    const d = await driver();
    const i = instance(1);
    await spawn(d, i);
    expect((await d.get_info(i)).state).toBe(PowerState.RUNNING);
    expect(await d.list_instances()).toEqual(["instance-00000001"]);
    const log = await d.get_console_output(ctx, i);
    expect(log).toContain("Linux version");
    expect(log.trimEnd().endsWith("vm1 login:")).toBe(true);
    const res = await d.get_available_resource("compute1");
    expect(res).toMatchObject({
      vcpus: 8,
      memory_mb: 16384,
      local_gb: 200,
      vcpus_used: 1,
      memory_mb_used: 512,
      local_gb_used: 1,
      hypervisor_type: "fake",
    });
    expect(JSON.parse(res.cpu_info).arch).toBe("x86_64");
  });

  it("moves power states like a hypervisor and refuses impossible transitions", async () => {
    const d = await driver();
    const i = instance(2);
    await spawn(d, i);
    await d.pause(i);
    expect((await d.get_info(i)).state).toBe(PowerState.PAUSED);
    await expect(d.pause(i)).rejects.toBeInstanceOf(InstanceInvalidState);
    await d.unpause(i);
    await d.suspend(ctx, i);
    expect((await d.get_info(i)).state).toBe(PowerState.SUSPENDED);
    await d.resume(ctx, i, []);
    expect((await d.get_info(i)).state).toBe(PowerState.RUNNING);
    await d.power_off(i, 0, 0);
    expect((await d.get_info(i)).state).toBe(PowerState.SHUTDOWN);
    await expect(d.reboot(ctx, i, [], "SOFT")).rejects.toBeInstanceOf(InstanceNotRunning);
    await d.reboot(ctx, i, [], "HARD");
    expect((await d.get_info(i)).state).toBe(PowerState.RUNNING);
    expect((await d.get_console_output(ctx, i)).match(/login:/g)?.length).toBe(2);
    await d.power_off(i, 0, 0);
    await d.power_on(ctx, i, []);
    expect((await d.get_info(i)).state).toBe(PowerState.RUNNING);
    await d.destroy(ctx, i, [], null, true);
    await d.destroy(ctx, i, [], null, true); // idempotent, as Nova's
    await expect(d.get_info(i)).rejects.toBeInstanceOf(InstanceNotFound);
    expect(await d.list_instances()).toEqual([]);
  });

  it("fails spawn on demand: image property, flavor extra spec, or only on listed hosts", async () => {
    const d = await driver();
    await expect(spawn(d, instance(3), { id: "img", properties: { fake_fail_spawn: "true" } })).rejects.toThrow(/fake_fail_spawn/);
    await expect(spawn(d, instance(4), { id: "img", fake_fail_spawn: "True" })).rejects.toBeInstanceOf(InstanceDeployFailure);
    const flavorFails = instance(5);
    flavorFails.flavor.extra_specs = { "fake:fail_spawn": "true" };
    await expect(spawn(d, flavorFails)).rejects.toThrow(/fake:fail_spawn/);
    expect(await d.list_instances()).toEqual([]);

    const onlyCompute1 = instance(6);
    onlyCompute1.flavor.extra_specs = { "fake:fail_spawn_hosts": "compute1" };
    await expect(spawn(d, onlyCompute1)).rejects.toThrow(/compute1/);
    const other = await driver([], undefined, "compute2");
    await spawn(other, onlyCompute1);
    expect((await other.get_info(onlyCompute1)).state).toBe(PowerState.RUNNING);
  });

  it("takes fake_boot_time_ms to boot", async () => {
    const d = await driver(["compute.fake_boot_time_ms=150"]);
    const t0 = performance.now();
    await spawn(d, instance(7));
    expect(performance.now() - t0).toBeGreaterThanOrEqual(140);
  });

  it("keeps its guests across a restart of the worker, as libvirt domains outlive nova-compute", async () => {
    const dir = mkdtempSync(join(tmpdir(), "fake-driver-"));
    const first = await driver([], dir);
    const i = instance(8);
    await spawn(first, i);
    await first.pause(i);
    const second = await driver([], dir);
    expect((await second.get_info(i)).state).toBe(PowerState.PAUSED);
    expect(await second.list_instance_uuids()).toEqual([i.uuid]);
  });

  it("gives each guest its own VNC port and snapshots through the image service", async () => {
    const uploads: Array<{ id: string; size: number }> = [];
    const d = new FakeDriver({
      host: "compute1",
      stateDir: mkdtempSync(join(tmpdir(), "fake-driver-")),
      config: loadConfig(),
      services: { uploadImage: async (_c, id, data) => void uploads.push({ id, size: data.length }) },
    });
    await d.init_host("compute1");
    const a = instance(9);
    const b = instance(10);
    await spawn(d, a);
    await spawn(d, b);
    const [va, vb] = [await d.get_vnc_console(ctx, a), await d.get_vnc_console(ctx, b)];
    expect(va.port).not.toBe(vb.port);
    const states: string[] = [];
    await d.snapshot(ctx, a, "snap-1", async (s) => void states.push(s));
    expect(states).toEqual(["image_pending_upload", "image_uploading"]);
    expect(uploads).toEqual([{ id: "snap-1", size: expect.any(Number) }]);
  });

  it("is found by name in the registry; an unknown driver is refused by name", async () => {
    await expect(loadDriver("vmwareapi", { host: "h", stateDir: tmpdir(), config: loadConfig() })).rejects.toBeInstanceOf(UnknownDriver);
  });
});
