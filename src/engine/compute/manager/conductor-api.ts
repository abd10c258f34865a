// The compute's only way to the database (nova.conductor.api.LocalAPI → remotable object methods):
// every read and save is an RPC call to the `conductor` topic, as Oslo versioned objects do with an
// indirection API. Names and arguments follow docs/nova-rpc.md.
import type { RequestContext } from "../../common/context.js";
import { RemoteError, type RpcClient } from "../../common/rpc/index.js";
import type { Instance } from "../../../hypervisor/driver.js";

export interface Service {
  id: number | string;
  host: string;
  binary: string;
  topic?: string;
  report_count?: number;
  disabled?: boolean;
  disabled_reason?: string | null;
  forced_down?: boolean;
  [field: string]: unknown;
}

export interface ComputeNodeRecord {
  id?: number | string;
  uuid: string;
  host: string;
  hypervisor_hostname: string;
  [field: string]: unknown;
}

/** instance_save's expectation: one task state, or any of a list (null included), as Nova's save(). */
export type Expected = string | null | Array<string | null>;

export type InstanceUpdates = Partial<Omit<Instance, "uuid">> & Record<string, unknown>;

const TOPIC = "conductor";
// No version pin: one conductor process serves both the task API (1.x) and the object API (3.x) on
// one topic, and an RpcServer checks a single version, so a pin would refuse one of the two.

export class ConductorAPI {
  constructor(private readonly rpc: RpcClient) {}

  private call<T>(ctx: RequestContext, method: string, args: Record<string, unknown>, timeoutMs?: number): Promise<T> {
    return this.rpc.call<T>(ctx, TOPIC, method, args, timeoutMs ? { timeoutMs } : {});
  }

  service_get_by_host_and_binary(ctx: RequestContext, host: string, binary: string, timeoutMs?: number): Promise<Service | null> {
    return this.call(ctx, "service_get_by_host_and_binary", { host, binary }, timeoutMs);
  }

  service_create(
    ctx: RequestContext,
    values: { host: string; binary: string; topic: string; availability_zone?: string },
  ): Promise<Service> {
    return this.call(ctx, "service_create", values);
  }

  /** The heartbeat: a cast, so a slow conductor never blocks the compute. */
  service_update_cast(ctx: RequestContext, id: Service["id"], updates: Record<string, unknown>): Promise<void> {
    return this.rpc.cast(ctx, TOPIC, "service_update", { id, updates });
  }

  compute_node_update(ctx: RequestContext, host: string, node: string, resources: Record<string, unknown>): Promise<ComputeNodeRecord> {
    return this.call(ctx, "compute_node_update", { host, node, resources });
  }

  instance_get_all_by_host(ctx: RequestContext, host: string): Promise<Instance[]> {
    return this.call(ctx, "instance_get_all_by_host", { host });
  }

  instance_get(ctx: RequestContext, uuid: string): Promise<Instance> {
    return this.call(ctx, "instance_get", { uuid });
  }

  /** Save fields; the conductor refuses with UnexpectedTaskStateError when the expectation fails. */
  instance_save(
    ctx: RequestContext,
    uuid: string,
    updates: InstanceUpdates,
    expected?: { task?: Expected; vm?: Expected },
  ): Promise<Instance> {
    const args: Record<string, unknown> = { uuid, updates };
    if (expected?.task !== undefined) args.expected_task_state = expected.task;
    if (expected?.vm !== undefined) args.expected_vm_state = expected.vm;
    return this.call(ctx, "instance_save", args);
  }

  instance_destroy(ctx: RequestContext, uuid: string): Promise<void> {
    return this.call(ctx, "instance_destroy", { uuid });
  }

  instance_action_event_start(ctx: RequestContext, uuid: string, event: string, host: string): Promise<unknown> {
    return this.call(ctx, "instance_action_event_start", { uuid, event, request_id: ctx.request_id, host });
  }

  instance_action_event_finish(
    ctx: RequestContext,
    uuid: string,
    event: string,
    result: "Success" | "Error",
    traceback?: string,
  ): Promise<unknown> {
    return this.call(ctx, "instance_action_event_finish", { uuid, event, request_id: ctx.request_id, result, traceback });
  }

  instance_fault_create(
    ctx: RequestContext,
    fault: { uuid: string; code: number; message: string; details: string; host: string },
  ): Promise<unknown> {
    return this.call(ctx, "instance_fault_create", fault);
  }

  /** The reschedule path (ComputeTaskAPI.build_instances): a cast, the conductor picks an alternate. */
  build_instances(ctx: RequestContext, args: Record<string, unknown>): Promise<void> {
    return this.rpc.cast(ctx, TOPIC, "build_instances", args);
  }
}

/** The remote exception's class name, for the handful the compute reacts to. */
export function remoteType(err: unknown): string | undefined {
  return err instanceof RemoteError ? err.exc_type : (err as Error | undefined)?.name;
}

export const isInstanceNotFound = (err: unknown) => remoteType(err) === "InstanceNotFound";

/** The user deleted the instance while we worked on it (Nova's UnexpectedDeletingTaskStateError). */
export function isDeletingConflict(err: unknown): boolean {
  const t = remoteType(err);
  if (t === "UnexpectedDeletingTaskStateError") return true;
  return t === "UnexpectedTaskStateError" && err instanceof RemoteError && err.data.actual === "deleting";
}

export const isUnexpectedTaskState = (err: unknown) =>
  remoteType(err) === "UnexpectedTaskStateError" || remoteType(err) === "UnexpectedDeletingTaskStateError";
