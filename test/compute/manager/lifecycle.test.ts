// nova-compute as a real process on a real bus: the test plays nova-api/conductor (casts and the
// conductor's object methods) and checks what Nova users see: states, events, faults, Placement.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Instance } from "../../../src/hypervisor/driver.js";
import { killAll } from "../../rpc/fixtures/procs.js";
import { type World, ctx, startCompute, startWorld, until } from "./fixtures.js";

let world: World;

beforeAll(async () => {
  world = await startWorld();
  await startCompute(world, "compute1");
}, 30_000);

afterAll(async () => {
  await killAll();
  await world?.close();
});

const cast = (method: string, args: Record<string, unknown>) => world.rpc.cast(ctx, "compute.compute1", method, args);
const call = <T>(method: string, args: Record<string, unknown>) => world.rpc.call<T>(ctx, "compute.compute1", method, args);
const current = (uuid: string) => world.conductor.instances.get(uuid) as Instance;

/** What nova-api does before casting: set the task state the operation starts from. */
function apiSets(uuid: string, task_state: string) {
  current(uuid).task_state = task_state;
  return { instance: structuredClone(current(uuid)) };
}

async function settled(uuid: string, vm_state: string) {
  return until(`instance ${uuid} to reach ${vm_state} with no task`, () => {
    const i = world.conductor.instances.get(uuid);
    return i && i.vm_state === vm_state && i.task_state === null ? i : undefined;
  });
}

async function build(overrides: Partial<Instance> = {}, image: Record<string, unknown> = { id: "img-1", name: "cirros" }) {
  const instance = world.conductor.addInstance(overrides);
  await cast("build_and_run_instance", {
    instance,
    image,
    request_spec: {},
    filter_properties: {},
    node: "compute1",
    limits: {},
    host_list: [],
  });
  return instance;
}

describe("nova-compute (fake driver) against a bus and a conductor", () => {
  it("registers its service, reports its node to the conductor and Placement, and heartbeats", async () => {
    const svc = await until("service row", () => world.conductor.services.get("compute1/nova-compute"));
    expect(svc).toMatchObject({ binary: "nova-compute", topic: "compute" });
    const node = await until("compute node", () => world.conductor.nodes.get("compute1"));
    expect(node).toMatchObject({
      vcpus: 8,
      memory_mb: 16384,
      local_gb: 200,
      hypervisor_type: "fake",
      hypervisor_hostname: "compute1",
      memory_mb_used: 512,
    });
    expect(node.uuid).toMatch(/^[0-9a-f-]{36}$/);

    const rp = await world.placementApi("GET", `/resource_providers/${node.uuid}`);
    expect(rp.status).toBe(200);
    expect(rp.body.name).toBe("compute1");
    const inv = await world.placementApi("GET", `/resource_providers/${node.uuid}/inventories`);
    expect(inv.body.inventories.VCPU).toMatchObject({ total: 8, allocation_ratio: 4 });
    expect(inv.body.inventories.MEMORY_MB).toMatchObject({ total: 16384, reserved: 512 });
    expect(inv.body.inventories.DISK_GB).toMatchObject({ total: 200 });
    const traits = await world.placementApi("GET", `/resource_providers/${node.uuid}/traits`);
    expect(traits.body.traits).toEqual(expect.arrayContaining(["COMPUTE_NODE", "COMPUTE_IMAGE_TYPE_QCOW2"]));
    expect(traits.body.traits).not.toContain("COMPUTE_STATUS_DISABLED");

    await until("two heartbeats", () => world.conductor.heartbeats.filter((h) => h.id === svc.id).length >= 2, 5000);
    const counts = world.conductor.heartbeats.filter((h) => h.id === svc.id).map((h) => h.report_count);
    expect(counts[1]).toBeGreaterThan(counts[0] as number);
  });

  it("builds an instance to ACTIVE through Nova's states and records the action event", async () => {
    const instance = await build();
    const done = await settled(instance.uuid, "active");
    expect(world.conductor.history.get(instance.uuid)).toEqual([
      "building/None",
      "building/networking",
      "building/block_device_mapping",
      "building/spawning",
      "active/None",
    ]);
    expect(done).toMatchObject({ power_state: 1, host: "compute1", node: "compute1" });
    expect(done.launched_at).toBeTruthy();
    await until("event finish", () => world.conductor.eventsOf(instance.uuid).length === 2);
    expect(world.conductor.eventsOf(instance.uuid)).toEqual([
      "compute__do_build_and_run_instance:start",
      "compute__do_build_and_run_instance:finish:Success",
    ]);

    const log = await call<string>("get_console_output", { instance: done, tail_length: 1 });
    expect(log).toBe(`${done.hostname} login: `);
    const full = await call<string>("get_console_output", { instance: done });
    expect(full.split("\n").length).toBeGreaterThan(10);
    const vnc = await call<Record<string, unknown>>("get_vnc_console", { instance: done, console_type: "novnc" });
    expect(vnc).toMatchObject({ host: "127.0.0.1", port: expect.any(Number), access_url_base: expect.stringMatching(/vnc_lite\.html$/) });
    await expect(call("get_vnc_console", { instance: done, console_type: "spice-html5" })).rejects.toMatchObject({
      exc_type: "ConsoleTypeInvalid",
    });
  });

  it("stops, starts, reboots, pauses, suspends and deletes with Nova's state transitions", async () => {
    const { uuid } = await build();
    await settled(uuid, "active");
    const node = world.conductor.nodes.get("compute1") as Record<string, any>;
    // The allocation the scheduler would have claimed: the delete must remove it.
    const claim = await world.placementApi("PUT", `/allocations/${uuid}`, {
      allocations: { [node.uuid]: { resources: { VCPU: 1, MEMORY_MB: 512, DISK_GB: 1 } } },
      project_id: "p1",
      user_id: "u1",
      consumer_generation: null,
      consumer_type: "INSTANCE",
    });
    expect(claim.status).toBe(204);

    await cast("stop_instance", { ...apiSets(uuid, "powering-off"), clean_shutdown: true });
    expect(await settled(uuid, "stopped")).toMatchObject({ power_state: 4 });
    await cast("start_instance", apiSets(uuid, "powering-on"));
    expect(await settled(uuid, "active")).toMatchObject({ power_state: 1 });

    const before = world.conductor.history.get(uuid)?.length ?? 0;
    await cast("reboot_instance", { ...apiSets(uuid, "rebooting"), reboot_type: "SOFT" });
    await settled(uuid, "active");
    expect(world.conductor.history.get(uuid)?.slice(before)).toEqual(["active/reboot_pending", "active/reboot_started", "active/None"]);
    const mid = world.conductor.history.get(uuid)?.length ?? 0;
    await cast("reboot_instance", { ...apiSets(uuid, "rebooting_hard"), reboot_type: "HARD" });
    await settled(uuid, "active");
    expect(world.conductor.history.get(uuid)?.slice(mid)).toEqual([
      "active/reboot_pending_hard",
      "active/reboot_started_hard",
      "active/None",
    ]);

    await cast("pause_instance", apiSets(uuid, "pausing"));
    expect(await settled(uuid, "paused")).toMatchObject({ power_state: 3 });
    await cast("unpause_instance", apiSets(uuid, "unpausing"));
    expect(await settled(uuid, "active")).toMatchObject({ power_state: 1 });
    await cast("suspend_instance", apiSets(uuid, "suspending"));
    expect(await settled(uuid, "suspended")).toMatchObject({ power_state: 7 });
    await cast("resume_instance", apiSets(uuid, "resuming"));
    expect(await settled(uuid, "active")).toMatchObject({ power_state: 1 });

    const events = world.conductor
      .eventsOf(uuid)
      .filter((e) => e.endsWith(":Success"))
      .map((e) => e.split(":")[0]);
    expect(events).toEqual([
      "compute__do_build_and_run_instance",
      "compute_stop_instance",
      "compute_start_instance",
      "compute_reboot_instance",
      "compute_reboot_instance",
      "compute_pause_instance",
      "compute_unpause_instance",
      "compute_suspend_instance",
      "compute_resume_instance",
    ]);

    await cast("terminate_instance", apiSets(uuid, "deleting"));
    await until("instance destroyed", () => world.conductor.destroyed.has(uuid));
    expect(world.conductor.history.get(uuid)?.at(-1)).toBe("deleted/None");
    const allocs = await world.placementApi("GET", `/allocations/${uuid}`);
    expect(allocs.body.allocations).toEqual({});
    await expect(call("get_console_output", { instance: { uuid, name: "x" } })).rejects.toMatchObject({ exc_type: "InstanceNotFound" });
  });

  it("an operation that fails records an Error event and a fault, and reverts the task state", async () => {
    const { uuid } = await build();
    await settled(uuid, "active");
    // Unpausing a guest that is not paused: the driver refuses.
    await cast("unpause_instance", apiSets(uuid, "unpausing"));
    await until("event finish", () => world.conductor.eventsOf(uuid).includes("compute_unpause_instance:finish:Error"));
    const i = await settled(uuid, "active");
    expect(i.power_state).toBe(1);
    expect(world.conductor.faults.find((f) => f.uuid === uuid)).toMatchObject({
      code: 500,
      message: expect.stringMatching(/Cannot unpause/),
    });
  });

  it("a spawn failure frees the allocation and sends the build back to the conductor with this host excluded", async () => {
    const instance = world.conductor.addInstance();
    const node = world.conductor.nodes.get("compute1") as Record<string, any>;
    const claim = await world.placementApi("PUT", `/allocations/${instance.uuid}`, {
      allocations: { [node.uuid]: { resources: { VCPU: 1, MEMORY_MB: 512, DISK_GB: 1 } } },
      project_id: "p1",
      user_id: "u1",
      consumer_generation: null,
      consumer_type: "INSTANCE",
    });
    expect(claim.status).toBe(204);
    const alternate = { service_host: "compute2", nodename: "compute2" };
    await cast("build_and_run_instance", {
      instance,
      image: { id: "img-bad", properties: { fake_fail_spawn: "true" } },
      request_spec: { num_instances: 1 },
      filter_properties: { retry: { num_attempts: 1, hosts: [] } },
      node: "compute1",
      host_list: [alternate],
    });
    const resched = await until("build_instances cast", () =>
      world.conductor.reschedules.find((r) => r.instances[0].uuid === instance.uuid),
    );
    expect(resched.filter_properties.retry.hosts).toEqual([["compute1", "compute1"]]);
    expect(resched.filter_properties.retry.exc_reason).toMatch(/fake_fail_spawn/);
    expect(resched.host_lists).toEqual([[alternate]]);
    expect(current(instance.uuid)).toMatchObject({ vm_state: "building", task_state: "scheduling", host: null, node: null });
    expect((await world.placementApi("GET", `/allocations/${instance.uuid}`)).body.allocations).toEqual({});
  });

  it("after max_attempts the build ends in ERROR with a fault instead of another reschedule", async () => {
    const instance = world.conductor.addInstance({
      flavor: {
        flavorid: "9",
        name: "bad",
        vcpus: 1,
        memory_mb: 64,
        root_gb: 1,
        ephemeral_gb: 0,
        swap: 0,
        extra_specs: { "fake:fail_spawn": "true" },
      },
    });
    await cast("build_and_run_instance", {
      instance,
      image: { id: "img-1" },
      filter_properties: {
        retry: {
          num_attempts: 3,
          hosts: [
            ["compute2", "compute2"],
            ["compute3", "compute3"],
          ],
        },
      },
      node: "compute1",
      host_list: [],
    });
    const i = await settled(instance.uuid, "error");
    expect(i.host).toBeNull();
    const fault = await until("fault", () => world.conductor.faults.find((f) => f.uuid === instance.uuid));
    expect(fault.message).toMatch(/Exceeded maximum number of retries.*max scheduling attempts 3.*fake:fail_spawn/);
    expect(world.conductor.reschedules.some((r) => r.instances[0].uuid === instance.uuid)).toBe(false);
  });

  it("a build of an instance deleted meanwhile stops without an error state", async () => {
    const instance = world.conductor.addInstance();
    current(instance.uuid).task_state = "deleting";
    await cast("build_and_run_instance", { instance, image: { id: "img-1" }, filter_properties: {}, node: "compute1" });
    await until("event finish", () => world.conductor.eventsOf(instance.uuid).length === 2);
    expect(current(instance.uuid)).toMatchObject({ vm_state: "building", task_state: "deleting" });
  });
});
