// A compute worker killed with SIGKILL in the middle of a build: its heartbeats stop, and when it comes
// back it finds the instance stuck in BUILD on its host and puts it into ERROR (Nova's _init_instance),
// finishes what the API asked before the crash, and keeps the guests that were running.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Instance } from "../../../src/hypervisor/driver.js";
import { killAll } from "../../rpc/fixtures/procs.js";
import { type World, ctx, startCompute, startWorld, until } from "./fixtures.js";

let world: World;

beforeAll(async () => {
  world = await startWorld();
}, 30_000);

afterAll(async () => {
  await killAll();
  await world?.close();
});

const state = (uuid: string) => world.conductor.instances.get(uuid) as Instance;

describe("nova-compute killed mid-build", () => {
  it("leaves nothing stuck in BUILD: the restarted worker sets ERROR with a fault and keeps running guests", async () => {
    const slow = await startCompute(world, "compute2", ["compute.fake_boot_time_ms=3000"]);
    const cast = (method: string, args: Record<string, unknown>) => world.rpc.cast(ctx, "compute.compute2", method, args);

    // One instance that is ACTIVE before the crash: its guest must survive the worker's death.
    const survivor = world.conductor.addInstance();
    world.conductor.instances.get(survivor.uuid)!.task_state = "scheduling";
    await cast("build_and_run_instance", { instance: survivor, image: { id: "img-1" }, filter_properties: {}, node: "compute2" });
    await until("survivor active", () => state(survivor.uuid).vm_state === "active", 15_000);

    const victim = world.conductor.addInstance();
    await cast("build_and_run_instance", { instance: victim, image: { id: "img-1" }, filter_properties: {}, node: "compute2" });
    await until("victim spawning", () => state(victim.uuid).task_state === "spawning");
    // The API asked to stop the survivor just before the crash; the worker dies before doing it.
    world.conductor.instances.get(survivor.uuid)!.task_state = "powering-off";
    await slow.kill("SIGKILL");

    const svc = world.conductor.services.get("compute2/nova-compute") as Record<string, any>;
    const beats = () => world.conductor.heartbeats.filter((h) => h.id === svc.id).length;
    const seen = beats();
    await new Promise((r) => setTimeout(r, 1500));
    expect(beats()).toBe(seen); // a dead worker stops heartbeating: the conductor will report it down
    expect(state(victim.uuid)).toMatchObject({ vm_state: "building", task_state: "spawning" });

    await startCompute(world, "compute2");
    const victimAfter = await until("victim in ERROR", () => (state(victim.uuid).vm_state === "error" ? state(victim.uuid) : undefined));
    expect(victimAfter.task_state).toBeNull();
    const fault = world.conductor.faults.find((f) => f.uuid === victim.uuid);
    expect(fault?.message).toMatch(/restarted while the instance was being built/);

    // The interrupted stop is finished; the guest was still there (power state SHUTDOWN after the stop).
    const stopped = await until("survivor stopped", () => (state(survivor.uuid).vm_state === "stopped" ? state(survivor.uuid) : undefined));
    expect(stopped).toMatchObject({ task_state: null, power_state: 4 });

    // Deleting the failed instance works on the restarted worker.
    world.conductor.instances.get(victim.uuid)!.task_state = "deleting";
    await cast("terminate_instance", { instance: structuredClone(state(victim.uuid)) });
    await until("victim destroyed", () => world.conductor.destroyed.has(victim.uuid));
  }, 40_000);
});
