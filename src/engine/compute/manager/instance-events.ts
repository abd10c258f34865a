// Instance action events and faults, as Nova's wrap_instance_event / wrap_instance_fault decorators
// record them: `compute_<method>` start/finish around an operation (Error when it raised), and a fault
// row (code, message, traceback) when an operation fails the instance.
import type { RequestContext } from "../../common/context.js";
import { log } from "../../common/log.js";
import { excType } from "../../common/rpc/index.js";
import type { ConductorAPI } from "./conductor-api.js";

/** Run fn between event_start and event_finish; event bookkeeping failures never fail the operation. */
export async function withInstanceEvent<T>(
  conductor: ConductorAPI,
  ctx: RequestContext,
  host: string,
  uuid: string,
  event: string,
  fn: () => Promise<T>,
): Promise<T> {
  try {
    await conductor.instance_action_event_start(ctx, uuid, event, host);
  } catch (err) {
    log.warning(`instance ${uuid}: could not record the start of ${event}: ${(err as Error).message}`, ctx.request_id);
  }
  let failure: unknown;
  try {
    return await fn();
  } catch (err) {
    failure = err;
    throw err;
  } finally {
    const result = failure === undefined ? "Success" : "Error";
    const tb = failure === undefined ? undefined : traceback(failure);
    try {
      await conductor.instance_action_event_finish(ctx, uuid, event, result, tb);
    } catch (err) {
      log.warning(`instance ${uuid}: could not record the end of ${event}: ${(err as Error).message}`, ctx.request_id);
    }
  }
}

/** A fault for the instance (nova.compute.utils.add_instance_fault_from_exc). */
export async function addInstanceFault(
  conductor: ConductorAPI,
  ctx: RequestContext,
  host: string,
  uuid: string,
  err: unknown,
  message?: string,
): Promise<void> {
  const code = faultCode(err);
  const text = message ?? (err instanceof Error && err.message ? err.message : excType(err));
  try {
    await conductor.instance_fault_create(ctx, { uuid, code, message: text.slice(0, 255), details: traceback(err), host });
  } catch (e) {
    log.warning(`instance ${uuid}: could not record a fault: ${(e as Error).message}`, ctx.request_id);
  }
}

function faultCode(err: unknown): number {
  const code =
    (err as { code?: unknown; data?: { code?: unknown } } | undefined)?.code ?? (err as { data?: { code?: unknown } })?.data?.code;
  return typeof code === "number" && code >= 400 && code < 600 ? code : 500;
}

export function traceback(err: unknown): string {
  // Type and message only: a fault is shown to users, and our stack frames are no business of theirs.
  if (err instanceof Error) return `${(err as { exc_type?: string }).exc_type ?? err.name}: ${err.message}`;
  return String(err);
}
