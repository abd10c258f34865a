// Building an instance on this node, in Nova's steps and names (Part III of the seed):
// build_and_run_instance → _do_build_and_run_instance (vm_state building) → _build_and_run_instance
// → _build_resources (networking, block_device_mapping) → driver.spawn (spawning) → active.
// A spawn failure becomes a RescheduledException: the build goes back to the conductor with this host
// in retry.hosts, until [scheduler] max_attempts is spent, then ERROR with a fault.
import type { RequestContext } from "../../common/context.js";
import { log } from "../../common/log.js";
import { withSpan } from "../../common/trace/tracer.js";
import type { BlockDeviceInfo, ImageMeta, InjectedFile, Instance, NetworkInfo } from "../../../hypervisor/driver.js";
import { isDeletingConflict, isInstanceNotFound, isUnexpectedTaskState } from "./conductor-api.js";
import { type ManagerDeps, getPowerState, now, save, setErrorState } from "./deps.js";
import { addInstanceFault, traceback, withInstanceEvent } from "./instance-events.js";
import { TaskState, VmState } from "./states.js";

export interface BuildArgs {
  instance: Instance;
  image?: ImageMeta | null;
  request_spec?: Record<string, unknown> | null;
  filter_properties?: FilterProperties | null;
  node?: string | null;
  limits?: Record<string, unknown> | null;
  host_list?: unknown[] | null;
  injected_files?: InjectedFile[] | null;
  admin_password?: string | null;
  requested_networks?: unknown;
  block_device_mapping?: unknown[] | null;
}

export interface FilterProperties {
  retry?: { num_attempts: number; hosts: Array<[string, string]>; exc_reason?: string; exc?: string[] };
  [key: string]: unknown;
}

export type BuildResult = "active" | "failed" | "rescheduled";

/** The host could not build it, another might (nova.exception.RescheduledException). */
export class RescheduledException extends Error {
  override name = "RescheduledException";
  constructor(
    readonly instance_uuid: string,
    readonly reason: string,
    readonly cause?: unknown,
  ) {
    super(`Build of instance ${instance_uuid} was re-scheduled: ${reason}`);
  }
}

/** The build cannot succeed anywhere (nova.exception.BuildAbortException). */
export class BuildAbortException extends Error {
  override name = "BuildAbortException";
  constructor(instance_uuid: string, reason: string) {
    super(`Build of instance ${instance_uuid} aborted: ${reason}`);
  }
}

/** Entry of the cast: wait for the instance's lock and a build slot, then build. */
export async function buildAndRunInstance(deps: ManagerDeps, ctx: RequestContext, args: BuildArgs): Promise<BuildResult> {
  const instance = args.instance;
  return deps.instanceLocks.run(instance.uuid, () =>
    deps.buildSemaphore.run(async () => {
      let result: BuildResult = "failed";
      try {
        result = await withInstanceEvent(deps.conductor, ctx, deps.host, instance.uuid, "compute__do_build_and_run_instance", () =>
          withSpan("_do_build_and_run_instance", "internal", () => doBuildAndRunInstance(deps, ctx, args)),
        );
        return result;
      } finally {
        // A failed build's allocation is freed here; a reschedule freed it before casting.
        if (result === "failed") await deleteAllocation(deps, ctx, instance.uuid);
        deps.resourcesChanged();
      }
    }),
  );
}

async function doBuildAndRunInstance(deps: ManagerDeps, ctx: RequestContext, args: BuildArgs): Promise<BuildResult> {
  const instance = args.instance;
  try {
    await save(deps, ctx, instance, { vm_state: VmState.BUILDING, task_state: null }, [TaskState.SCHEDULING, null]);
  } catch (err) {
    if (isInstanceNotFound(err) || isUnexpectedTaskState(err)) {
      log.info(
        `instance ${instance.uuid}: ${isInstanceNotFound(err) ? "disappeared before build" : (err as Error).message}`,
        ctx.request_id,
      );
      return "failed";
    }
    throw err;
  }
  const node = args.node ?? deps.driver.get_available_nodes()[0] ?? deps.host;
  const filterProperties: FilterProperties = args.filter_properties ?? {};
  try {
    const started = performance.now();
    await withSpan("_build_and_run_instance", "internal", () => buildAndRun(deps, ctx, args, node));
    log.info(
      `instance ${instance.uuid}: took ${((performance.now() - started) / 1000).toFixed(2)} seconds to build instance.`,
      ctx.request_id,
    );
    return "active";
  } catch (err) {
    if (err instanceof RescheduledException) return reschedule(deps, ctx, args, filterProperties, node, err);
    if (isInstanceNotFound(err) || isDeletingConflict(err)) {
      log.info(`instance ${instance.uuid}: disappeared during build`, ctx.request_id);
      return "failed";
    }
    log.error(`instance ${instance.uuid}: build failed, not rescheduling: ${(err as Error).message}`, ctx.request_id);
    await addInstanceFault(deps.conductor, ctx, deps.host, instance.uuid, err);
    await nilOutHostAndNode(deps, ctx, instance);
    await setErrorState(deps, ctx, instance, true);
    return "failed";
  }
}

async function buildAndRun(deps: ManagerDeps, ctx: RequestContext, args: BuildArgs, node: string): Promise<void> {
  const instance = args.instance;
  const image: ImageMeta = args.image ?? { id: instance.image_ref };
  // The resource claim (rt.instance_claim) puts the instance on this host and node.
  await save(deps, ctx, instance, { host: deps.host, node, launched_on: deps.host });
  const resources = await withSpan("_build_resources", "internal", () => buildResources(deps, ctx, instance));
  await save(deps, ctx, instance, { vm_state: VmState.BUILDING, task_state: TaskState.SPAWNING }, TaskState.BLOCK_DEVICE_MAPPING);
  try {
    await withSpan(
      "spawn",
      "driver",
      () =>
        deps.driver.spawn(
          ctx,
          instance,
          image,
          args.injected_files ?? [],
          args.admin_password ?? null,
          resources.network_info,
          resources.block_device_info,
        ),
      { attributes: { driver: deps.driver.name, instance: instance.uuid } },
    );
  } catch (err) {
    // _build_resources' cleanup: take down whatever the failed spawn left on the hypervisor.
    await deps.driver.destroy(ctx, instance, resources.network_info, resources.block_device_info, true).catch(() => undefined);
    if (isInstanceNotFound(err) || isDeletingConflict(err)) throw err;
    throw new RescheduledException(instance.uuid, (err as Error).message, err);
  }
  // _update_instance_after_spawn
  const power_state = await getPowerState(deps.driver, instance);
  await save(deps, ctx, instance, { power_state, vm_state: VmState.ACTIVE, task_state: null, launched_at: now() }, TaskState.SPAWNING);
}

async function buildResources(
  deps: ManagerDeps,
  ctx: RequestContext,
  instance: Instance,
): Promise<{ network_info: NetworkInfo; block_device_info: BlockDeviceInfo }> {
  let network_info: NetworkInfo;
  try {
    // _build_networks_for_instance → _allocate_network: there is no Neutron, so no ports to bind.
    await save(deps, ctx, instance, { vm_state: VmState.BUILDING, task_state: TaskState.NETWORKING }, [null]);
    network_info = [];
  } catch (err) {
    if (isInstanceNotFound(err) || isDeletingConflict(err)) throw err;
    if (isUnexpectedTaskState(err)) throw new BuildAbortException(instance.uuid, (err as Error).message);
    throw new BuildAbortException(instance.uuid, "Failed to allocate the network(s), not rescheduling.");
  }
  await save(deps, ctx, instance, { vm_state: VmState.BUILDING, task_state: TaskState.BLOCK_DEVICE_MAPPING });
  const f = instance.flavor;
  const block_device_info: BlockDeviceInfo = {
    root_device_name: "/dev/vda",
    ephemerals: f.ephemeral_gb > 0 ? [{ device_name: "/dev/vdb", size: f.ephemeral_gb }] : [],
    swap: f.swap > 0 ? { device_name: f.ephemeral_gb > 0 ? "/dev/vdc" : "/dev/vdb", swap_size: f.swap } : null,
    block_device_mapping: [],
  };
  return { network_info, block_device_info };
}

async function reschedule(
  deps: ManagerDeps,
  ctx: RequestContext,
  args: BuildArgs,
  filterProperties: FilterProperties,
  node: string,
  e: RescheduledException,
): Promise<BuildResult> {
  const instance = args.instance;
  const maxAttempts = deps.config.int("scheduler", "max_attempts");
  // The conductor fills in `retry` when max_attempts > 1 (populate_retry); be lenient when it did not.
  if (!filterProperties.retry && maxAttempts > 1) filterProperties.retry = { num_attempts: 1, hosts: [[deps.host, node]] };
  const retry = filterProperties.retry;
  if (!retry || retry.num_attempts >= maxAttempts) {
    const message = !retry
      ? e.reason
      : `Exceeded maximum number of retries. Exceeded max scheduling attempts ${maxAttempts} for instance ${instance.uuid}. Last exception: ${e.reason}`;
    log.error(`instance ${instance.uuid}: ${message}`, ctx.request_id);
    const fault = retry ? Object.assign(new Error(message), { name: "MaxRetriesExceeded" }) : (e.cause ?? e);
    await addInstanceFault(deps.conductor, ctx, deps.host, instance.uuid, fault, message);
    await nilOutHostAndNode(deps, ctx, instance);
    await setErrorState(deps, ctx, instance, true);
    return "failed";
  }
  log.info(`instance ${instance.uuid}: ${e.message}`, ctx.request_id);
  retry.exc = traceback(e.cause ?? e).split("\n");
  retry.exc_reason = e.reason;
  if (!retry.hosts.some(([h]) => h === deps.host)) retry.hosts.push([deps.host, node]);
  await nilOutHostAndNode(deps, ctx, instance, TaskState.SCHEDULING);
  // Free this host's claim before the conductor claims on an alternate.
  await deleteAllocation(deps, ctx, instance.uuid);
  await deps.conductor.build_instances(ctx, {
    instances: [instance],
    image: args.image ?? null,
    filter_properties: filterProperties,
    request_spec: args.request_spec ?? null,
    host_lists: [args.host_list ?? []],
    admin_password: args.admin_password ?? null,
    injected_files: args.injected_files ?? [],
    requested_networks: args.requested_networks ?? null,
    block_device_mapping: args.block_device_mapping ?? [],
  });
  return "rescheduled";
}

/** nova's _nil_out_instance_obj_host_and_node (and the reschedule's task_state in the same save). */
async function nilOutHostAndNode(deps: ManagerDeps, ctx: RequestContext, instance: Instance, taskState?: string): Promise<void> {
  const updates: Record<string, unknown> = { host: null, node: null, launched_on: null };
  if (taskState) updates.task_state = taskState;
  try {
    await save(deps, ctx, instance, updates);
  } catch (err) {
    if (!isInstanceNotFound(err)) throw err;
  }
}

export async function deleteAllocation(deps: ManagerDeps, ctx: RequestContext, uuid: string): Promise<void> {
  try {
    await deps.report.deleteAllocationForInstance(uuid);
  } catch (err) {
    log.warning(`instance ${uuid}: could not delete its allocations in Placement: ${(err as Error).message}`, ctx.request_id);
  }
}
