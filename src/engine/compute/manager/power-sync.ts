// The power-state sync periodic task (nova's _sync_power_states / _sync_instance_power_state): what the
// hypervisor says wins over the database's power_state, and a guest that stopped by itself makes an
// ACTIVE instance STOPPED (SHUTOFF), through the stop path as Nova's "Calling the stop API" does.
import type { RequestContext } from "../../common/context.js";
import { log } from "../../common/log.js";
import { withSpan } from "../../common/trace/tracer.js";
import { type Instance, POWER_STATE_NAMES, PowerState } from "../../../hypervisor/driver.js";
import { type ManagerDeps, getPowerState, save } from "./deps.js";
import type { ComputeManager } from "./manager.js";
import { TaskState, VmState } from "./states.js";

export async function syncPowerStates(deps: ManagerDeps, manager: ComputeManager, ctx: RequestContext): Promise<number> {
  return withSpan("_sync_power_states", "internal", async (span) => {
    const instances = await deps.conductor.instance_get_all_by_host(ctx, deps.host);
    let changed = 0;
    for (const instance of instances) {
      // An instance with a task in flight is that task's business (Nova skips it too).
      if (instance.task_state !== null) continue;
      try {
        if (await deps.instanceLocks.run(instance.uuid, () => syncInstancePowerState(deps, ctx, instance))) {
          changed++;
          await callStop(deps, manager, ctx, instance);
        }
      } catch (err) {
        log.warning(`instance ${instance.uuid}: power-state sync failed: ${(err as Error).message}`, ctx.request_id);
      }
    }
    span.set("instances", instances.length);
    span.set("stopped", changed);
    return changed;
  });
}

/** Update power_state; returns true when the instance must be stopped. */
async function syncInstancePowerState(deps: ManagerDeps, ctx: RequestContext, instance: Instance): Promise<boolean> {
  const vmPower = await getPowerState(deps.driver, instance);
  if (instance.power_state !== vmPower) {
    log.info(
      `instance ${instance.uuid}: power state in the database ${POWER_STATE_NAMES[instance.power_state]}, on the hypervisor ${POWER_STATE_NAMES[vmPower]}; updating`,
      ctx.request_id,
    );
    await save(deps, ctx, instance, { power_state: vmPower }, [null]);
  }
  const vm = instance.vm_state;
  if (vm === VmState.ACTIVE) {
    if (vmPower === PowerState.SHUTDOWN || vmPower === PowerState.CRASHED) {
      log.warning(`instance ${instance.uuid}: shutdown by itself; calling the stop API (current power state ${vmPower})`, ctx.request_id);
      return true;
    }
    if (vmPower === PowerState.SUSPENDED) {
      log.warning(`instance ${instance.uuid}: suspended unexpectedly; calling the stop API`, ctx.request_id);
      return true;
    }
    return false;
  }
  if (vm === VmState.STOPPED) {
    if (vmPower !== PowerState.NOSTATE && vmPower !== PowerState.SHUTDOWN && vmPower !== PowerState.CRASHED) {
      log.warning(`instance ${instance.uuid}: not stopped on the hypervisor; calling the stop API`, ctx.request_id);
      return true;
    }
    return false;
  }
  if (vm === VmState.PAUSED && (vmPower === PowerState.SHUTDOWN || vmPower === PowerState.CRASHED)) {
    log.warning(`instance ${instance.uuid}: paused instance shutdown by itself; calling the stop API`, ctx.request_id);
    return true;
  }
  return false;
}

/** compute_api.force_stop: task_state powering-off, then the compute's own stop_instance. */
async function callStop(deps: ManagerDeps, manager: ComputeManager, ctx: RequestContext, instance: Instance): Promise<void> {
  await save(deps, ctx, instance, { task_state: TaskState.POWERING_OFF }, [null]);
  await manager.stop_instance(ctx, { instance, clean_shutdown: false });
}
