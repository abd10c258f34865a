// What every part of the compute manager shares: the node, its driver and its ways out (conductor,
// Placement), plus the small helpers Nova's manager uses everywhere (error state, power state).
import { randomUUID } from "node:crypto";
import type { Config } from "../../common/config/config.js";
import type { RequestContext } from "../../common/context.js";
import type { ComputeDriver, Instance } from "../../../hypervisor/driver.js";
import { InstanceNotFound, PowerState, type PowerStateValue } from "../../../hypervisor/driver.js";
import type { ConductorAPI, Expected, InstanceUpdates } from "./conductor-api.js";
import type { KeyedLock, Semaphore } from "./locks.js";
import type { ReportClient } from "./report-client.js";
import type { ResourceTracker } from "./resource-tracker.js";
import { VmState } from "./states.js";

export interface ManagerDeps {
  host: string;
  driver: ComputeDriver;
  conductor: ConductorAPI;
  report: ReportClient;
  tracker: ResourceTracker;
  config: Config;
  /** Operations on one instance run one at a time (nova's @utils.synchronized(instance.uuid)). */
  instanceLocks: KeyedLock;
  /** max_concurrent_builds. */
  buildSemaphore: Semaphore;
  /** Ask for a resource-tracker run soon (after a build or a delete changed the node's usage). */
  resourcesChanged(): void;
}

/** The context of the compute's own periodic tasks (nova.context.get_admin_context). */
export function adminContext(): RequestContext {
  return { roles: ["admin"], is_admin: true, request_id: `req-${randomUUID()}` };
}

export const now = () => new Date().toISOString();

/** Save and keep the local copy in step (the conductor's answer is the truth). */
export async function save(
  deps: ManagerDeps,
  ctx: RequestContext,
  instance: Instance,
  updates: InstanceUpdates,
  expectedTask?: Expected,
): Promise<Instance> {
  const saved = await deps.conductor.instance_save(
    ctx,
    instance.uuid,
    updates,
    expectedTask === undefined ? undefined : { task: expectedTask },
  );
  Object.assign(instance, updates, saved ?? {});
  return instance;
}

/** The guest's power state as the hypervisor reports it; NOSTATE when it has no such guest. */
export async function getPowerState(driver: ComputeDriver, instance: Instance): Promise<PowerStateValue> {
  try {
    return (await driver.get_info(instance)).state;
  } catch (err) {
    if (err instanceof InstanceNotFound) return PowerState.NOSTATE;
    throw err;
  }
}

/** nova's _set_instance_obj_error_state. */
export async function setErrorState(deps: ManagerDeps, ctx: RequestContext, instance: Instance, cleanTaskState = false): Promise<void> {
  const updates: InstanceUpdates = { vm_state: VmState.ERROR };
  if (cleanTaskState) updates.task_state = null;
  try {
    await save(deps, ctx, instance, updates);
  } catch {
    // The instance may be gone already; nothing more to record.
  }
}
