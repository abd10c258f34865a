// The power-state sync periodic task and the graceful stop, with the worker in this process so the test
// can make a guest shut down behind Nova's back (as when a QEMU process dies).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/engine/common/config/config.js";
import { ComputeService } from "../../../src/engine/compute/manager/compute-service.js";
import { PowerState } from "../../../src/hypervisor/driver.js";
import type { FakeDriver } from "../../../src/hypervisor/fake/driver.js";
import { killAll } from "../../rpc/fixtures/procs.js";
import { type World, ctx, startWorld, until } from "./fixtures.js";

let world: World;
let service: ComputeService;

beforeAll(async () => {
  world = await startWorld();
  const config = loadConfig(undefined, world.settings(["compute.sync_power_state_interval=1", "compute.fake_boot_time_ms=300"]).split(";"));
  service = new ComputeService({ host: "compute3", driver: "fake", config, stateDir: mkdtempSync(join(tmpdir(), "compute3-")) });
  await service.start();
}, 30_000);

afterAll(async () => {
  await killAll();
  await world?.close();
});

describe("power-state sync and graceful stop", () => {
  it("an ACTIVE instance whose guest shut down by itself becomes STOPPED (SHUTOFF)", async () => {
    const instance = world.conductor.addInstance();
    await world.rpc.cast(ctx, "compute.compute3", "build_and_run_instance", { instance, image: { id: "img-1" }, node: "compute3" });
    await until("active", () => world.conductor.instances.get(instance.uuid)?.vm_state === "active");

    (service.driver as FakeDriver).setPowerStateBehindNovasBack(instance.uuid, PowerState.SHUTDOWN);
    await until("stopped by the sync", () => world.conductor.instances.get(instance.uuid)?.vm_state === "stopped", 5000);
    expect(world.conductor.instances.get(instance.uuid)).toMatchObject({ power_state: PowerState.SHUTDOWN, task_state: null });
    expect(world.conductor.eventsOf(instance.uuid)).toContain("compute_stop_instance:finish:Success");
  });

  it("a graceful stop lets a running build finish and leaves the bus", async () => {
    const instance = world.conductor.addInstance();
    await world.rpc.cast(ctx, "compute.compute3", "build_and_run_instance", { instance, image: { id: "img-1" }, node: "compute3" });
    await until("spawning", () => world.conductor.instances.get(instance.uuid)?.task_state === "spawning");
    await service.stop();
    expect(world.conductor.instances.get(instance.uuid)).toMatchObject({ vm_state: "active", power_state: PowerState.RUNNING });
    await expect(world.rpc.call(ctx, "compute.compute3", "get_console_output", { instance }, { timeoutMs: 1000 })).rejects.toThrow();
  });
});
