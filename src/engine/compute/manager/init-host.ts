// What the compute does with its instances when it (re)starts (nova's init_host → _init_instance):
// an interrupted build goes to ERROR, an interrupted delete/stop/start/reboot is finished, a half
// snapshot forgets its task state. Nothing stays in BUILD forever because a worker died.
import type { RequestContext } from "../../common/context.js";
import { log } from "../../common/log.js";
import { type Instance, PowerState } from "../../../hypervisor/driver.js";
import { deleteAllocation } from "./build.js";
import { type ManagerDeps, getPowerState, save, setErrorState } from "./deps.js";
import { addInstanceFault } from "./instance-events.js";
import type { ComputeManager } from "./manager.js";
import { BUILD_TASK_STATES, HARD_REBOOT_STATES, SOFT_REBOOT_STATES, TaskState, VmState } from "./states.js";

const SNAPSHOT_STATES: string[] = [
  TaskState.IMAGE_SNAPSHOT_PENDING,
  TaskState.IMAGE_PENDING_UPLOAD,
  TaskState.IMAGE_UPLOADING,
  TaskState.IMAGE_SNAPSHOT,
];
const REBUILD_STATES: string[] = [TaskState.REBUILDING, TaskState.REBUILD_BLOCK_DEVICE_MAPPING, TaskState.REBUILD_SPAWNING];
const REBOOT_STATES: string[] = [...SOFT_REBOOT_STATES, ...HARD_REBOOT_STATES];

export async function initInstances(deps: ManagerDeps, manager: ComputeManager, ctx: RequestContext): Promise<void> {
  const instances = await deps.conductor.instance_get_all_by_host(ctx, deps.host);
  for (const instance of instances) {
    try {
      await initInstance(deps, manager, ctx, instance);
    } catch (err) {
      log.error(`instance ${instance.uuid}: failed to initialise at start-up: ${(err as Error).message}`, ctx.request_id);
    }
  }
}

export async function initInstance(deps: ManagerDeps, manager: ComputeManager, ctx: RequestContext, instance: Instance): Promise<void> {
  const { vm_state: vm, task_state: task } = instance;
  if (vm === VmState.SOFT_DELETED || (vm === VmState.ERROR && task !== TaskState.RESIZE_MIGRATING && task !== TaskState.DELETING)) return;

  if (vm === VmState.DELETED) {
    log.info(`instance ${instance.uuid}: completing its deletion at start-up`, ctx.request_id);
    await deps.driver.destroy(ctx, instance, [], null, true);
    await deps.conductor.instance_destroy(ctx, instance.uuid);
    await deleteAllocation(deps, ctx, instance.uuid);
    return;
  }

  if (vm === VmState.BUILDING || (task !== null && (BUILD_TASK_STATES as string[]).includes(task))) {
    log.warning(
      `instance ${instance.uuid}: failed to spawn correctly (vm_state ${vm}, task_state ${task}); setting it to ERROR`,
      ctx.request_id,
    );
    await addInstanceFault(
      deps.conductor,
      ctx,
      deps.host,
      instance.uuid,
      Object.assign(new Error(`nova-compute on ${deps.host} restarted while the instance was being built`), {
        name: "BuildAbortException",
      }),
    );
    await setErrorState(deps, ctx, instance, true);
    return;
  }

  if ((vm === VmState.ACTIVE || vm === VmState.STOPPED) && task !== null && REBUILD_STATES.includes(task)) {
    log.warning(`instance ${instance.uuid}: failed to rebuild correctly; setting it to ERROR`, ctx.request_id);
    await setErrorState(deps, ctx, instance, true);
    return;
  }

  if (task !== null && (SNAPSHOT_STATES.includes(task) || task === TaskState.RESIZE_PREP)) {
    log.info(`instance ${instance.uuid}: in transitional state ${task} at start-up; clearing it`, ctx.request_id);
    await save(deps, ctx, instance, { task_state: null });
    return;
  }

  if (task === TaskState.DELETING) {
    log.info(`instance ${instance.uuid}: the service started deleting it before the restart; finishing`, ctx.request_id);
    await manager.terminate_instance(ctx, { instance });
    return;
  }

  const power = await getPowerState(deps.driver, instance);
  if (task !== null && REBOOT_STATES.includes(task)) {
    if (power === PowerState.RUNNING) {
      await save(deps, ctx, instance, { task_state: null, vm_state: VmState.ACTIVE, power_state: power });
    } else {
      await save(deps, ctx, instance, { task_state: TaskState.REBOOT_PENDING_HARD });
      await manager.reboot_instance(ctx, { instance, reboot_type: "HARD" });
    }
    return;
  }
  if (power === PowerState.RUNNING && (task === TaskState.PAUSING || task === TaskState.UNPAUSING)) {
    await save(deps, ctx, instance, { task_state: null, vm_state: VmState.ACTIVE, power_state: power });
    return;
  }
  if (power === PowerState.PAUSED && task === TaskState.UNPAUSING) {
    await manager.unpause_instance(ctx, { instance });
    return;
  }
  if (task === TaskState.POWERING_OFF) {
    await manager.stop_instance(ctx, { instance, clean_shutdown: true });
    return;
  }
  if (task === TaskState.POWERING_ON) {
    await manager.start_instance(ctx, { instance });
    return;
  }
  if (task === TaskState.SUSPENDING || task === TaskState.RESUMING) {
    // The driver tells where the guest ended up; the task state is stale either way.
    const vm_state = power === PowerState.SUSPENDED ? VmState.SUSPENDED : power === PowerState.RUNNING ? VmState.ACTIVE : vm;
    await save(deps, ctx, instance, { task_state: null, vm_state, power_state: power });
  }
}
