// The RPC endpoint of topic `compute.<host>` (nova.compute.manager.ComputeManager, API 6.0): one public
// method per message of docs/nova-rpc.md and nothing else (every public method is remotely callable).
// Each operation runs under the instance's lock, records `compute_<method>` events, turns a failure into
// a fault, and moves vm_state/task_state/power_state as Nova does.
import type { RequestContext } from "../../common/context.js";
import { log } from "../../common/log.js";
import { withSpan } from "../../common/trace/tracer.js";
import {
  ConsoleTypeUnavailable,
  type Flavor,
  type ImageMeta,
  type Instance,
  PowerState,
  type RebootType,
} from "../../../hypervisor/driver.js";
import { type BuildArgs, buildAndRunInstance, deleteAllocation } from "./build.js";
import { type Expected, isInstanceNotFound } from "./conductor-api.js";
import { type ManagerDeps, getPowerState, now, save, setErrorState } from "./deps.js";
import { addInstanceFault, withInstanceEvent } from "./instance-events.js";
import { HARD_REBOOT_STATES, SOFT_REBOOT_STATES, TaskState, VmState } from "./states.js";
import { novncBaseUrl } from "../../console/base-url.js";

/** The console type is not one this method serves (nova.exception.ConsoleTypeInvalid). */
export class ConsoleTypeInvalid extends Error {
  override name = "ConsoleTypeInvalid";
  readonly code = 400;
  constructor(console_type: string) {
    super(`Invalid console type ${console_type}`);
  }
}

interface OpOptions {
  /** @reverts_task_state: on failure put task_state back to None. */
  revertsTaskState?: boolean;
  /** On failure put the instance into ERROR (operations that may leave the guest half-done). */
  errorOnFailure?: boolean;
}

type Args = Record<string, any>;

export class ComputeManager {
  readonly _deps: ManagerDeps;

  constructor(deps: ManagerDeps) {
    this._deps = deps;
  }

  // ---- build and delete ---------------------------------------------------------------------------

  async build_and_run_instance(ctx: RequestContext, args: Args): Promise<void> {
    requireInstance(args);
    await buildAndRunInstance(this._deps, ctx, args as BuildArgs);
  }

  async terminate_instance(ctx: RequestContext, args: Args): Promise<void> {
    const instance = requireInstance(args);
    const d = this._deps;
    await this._op(ctx, "terminate_instance", instance, { revertsTaskState: true }, async () => {
      try {
        await withSpan("_delete_instance", "internal", async () => {
          await withSpan("_shutdown_instance", "internal", () =>
            withSpan("destroy", "driver", () => d.driver.destroy(ctx, instance, [], null, true)),
          );
          await save(d, ctx, instance, {
            vm_state: VmState.DELETED,
            task_state: null,
            power_state: PowerState.NOSTATE,
            terminated_at: now(),
          });
          // _complete_deletion
          await d.conductor.instance_destroy(ctx, instance.uuid);
          await deleteAllocation(d, ctx, instance.uuid);
        });
      } catch (err) {
        if (isInstanceNotFound(err)) {
          log.info(`instance ${instance.uuid}: already gone from the database`, ctx.request_id);
          await deleteAllocation(d, ctx, instance.uuid);
          return;
        }
        await setErrorState(d, ctx, instance);
        throw err;
      } finally {
        d.resourcesChanged();
      }
    });
  }

  // ---- power ---------------------------------------------------------------------------------------

  async stop_instance(ctx: RequestContext, args: Args): Promise<void> {
    const instance = requireInstance(args);
    const d = this._deps;
    const cleanShutdown = args.clean_shutdown !== false;
    await this._op(ctx, "stop_instance", instance, { revertsTaskState: true }, async () => {
      const current = await getPowerState(d.driver, instance);
      const expected: Expected = [TaskState.POWERING_OFF];
      // Already off: something else may have cleared the task state; accept that too.
      if (current === PowerState.SHUTDOWN || current === PowerState.CRASHED) expected.push(null);
      // clean_shutdown asks the guest to power down (ACPI) before pulling the plug.
      await withSpan("power_off", "driver", () => d.driver.power_off(instance, cleanShutdown ? 60 : 0, 10));
      const power_state = await getPowerState(d.driver, instance);
      await save(d, ctx, instance, { power_state, vm_state: VmState.STOPPED, task_state: null }, expected);
    });
  }

  async start_instance(ctx: RequestContext, args: Args): Promise<void> {
    const instance = requireInstance(args);
    const d = this._deps;
    await this._op(ctx, "start_instance", instance, { revertsTaskState: true }, async () => {
      await withSpan("power_on", "driver", () => d.driver.power_on(ctx, instance, []));
      const power_state = await getPowerState(d.driver, instance);
      await save(d, ctx, instance, { power_state, vm_state: VmState.ACTIVE, task_state: null }, TaskState.POWERING_ON);
    });
  }

  async reboot_instance(ctx: RequestContext, args: Args): Promise<void> {
    const instance = requireInstance(args);
    const d = this._deps;
    const type: RebootType = String(args.reboot_type ?? "SOFT").toUpperCase() === "HARD" ? "HARD" : "SOFT";
    await this._op(ctx, "reboot_instance", instance, { revertsTaskState: true }, async () => {
      const soft = type === "SOFT";
      await save(
        d,
        ctx,
        instance,
        {
          power_state: await getPowerState(d.driver, instance),
          task_state: soft ? TaskState.REBOOT_PENDING : TaskState.REBOOT_PENDING_HARD,
        },
        soft ? SOFT_REBOOT_STATES : HARD_REBOOT_STATES,
      );
      const newVmState = instance.vm_state === VmState.RESCUED ? VmState.RESCUED : VmState.ACTIVE;
      await save(
        d,
        ctx,
        instance,
        { task_state: soft ? TaskState.REBOOT_STARTED : TaskState.REBOOT_STARTED_HARD },
        soft ? TaskState.REBOOT_PENDING : TaskState.REBOOT_PENDING_HARD,
      );
      try {
        await withSpan("reboot", "driver", () => d.driver.reboot(ctx, instance, [], type), { attributes: { reboot_type: type } });
      } catch (err) {
        // A failed reboot of a guest that still runs is only a fault; otherwise the instance is in ERROR.
        const after = await getPowerState(d.driver, instance);
        await addInstanceFault(d.conductor, ctx, d.host, instance.uuid, err);
        if (after !== PowerState.RUNNING) {
          log.error(`instance ${instance.uuid}: cannot reboot instance: ${(err as Error).message}`, ctx.request_id);
          await setErrorState(d, ctx, instance);
          throw err;
        }
        log.warning(`instance ${instance.uuid}: reboot failed but instance is running`, ctx.request_id);
      }
      const power_state = await getPowerState(d.driver, instance);
      await save(d, ctx, instance, { power_state, vm_state: newVmState, task_state: null });
    });
  }

  async pause_instance(ctx: RequestContext, args: Args): Promise<void> {
    await this._simple(ctx, args, "pause_instance", (i) => this._deps.driver.pause(i), VmState.PAUSED, TaskState.PAUSING);
  }

  async unpause_instance(ctx: RequestContext, args: Args): Promise<void> {
    await this._simple(ctx, args, "unpause_instance", (i) => this._deps.driver.unpause(i), VmState.ACTIVE, TaskState.UNPAUSING);
  }

  async suspend_instance(ctx: RequestContext, args: Args): Promise<void> {
    await this._simple(ctx, args, "suspend_instance", (i) => this._deps.driver.suspend(ctx, i), VmState.SUSPENDED, TaskState.SUSPENDING);
  }

  async resume_instance(ctx: RequestContext, args: Args): Promise<void> {
    await this._simple(ctx, args, "resume_instance", (i) => this._deps.driver.resume(ctx, i, []), VmState.ACTIVE, TaskState.RESUMING);
  }

  // ---- rebuild, resize, snapshot -------------------------------------------------------------------

  async rebuild_instance(ctx: RequestContext, args: Args): Promise<void> {
    const instance = requireInstance(args);
    const d = this._deps;
    const imageRef: string = args.image_ref ?? instance.image_ref;
    const image: ImageMeta = args.image ?? { id: imageRef };
    await this._op(ctx, "rebuild_instance", instance, { revertsTaskState: true, errorOnFailure: true }, async () => {
      const origVmState = instance.vm_state;
      await save(d, ctx, instance, { power_state: await getPowerState(d.driver, instance), task_state: TaskState.REBUILDING }, [
        TaskState.REBUILDING,
      ]);
      await withSpan("destroy", "driver", () => d.driver.destroy(ctx, instance, [], null, !args.preserve_ephemeral));
      await save(d, ctx, instance, { task_state: TaskState.REBUILD_BLOCK_DEVICE_MAPPING }, [TaskState.REBUILDING]);
      await save(d, ctx, instance, { task_state: TaskState.REBUILD_SPAWNING, image_ref: imageRef }, [
        TaskState.REBUILD_BLOCK_DEVICE_MAPPING,
      ]);
      await withSpan("spawn", "driver", () =>
        d.driver.spawn(ctx, instance, image, args.injected_files ?? [], args.new_pass ?? null, [], null),
      );
      await save(
        d,
        ctx,
        instance,
        { power_state: await getPowerState(d.driver, instance), vm_state: VmState.ACTIVE, task_state: null, launched_at: now() },
        [TaskState.REBUILD_SPAWNING],
      );
      if (origVmState === VmState.STOPPED) {
        // A stopped server stays stopped after a rebuild.
        await d.driver.power_off(instance, 0, 0);
        await save(d, ctx, instance, { power_state: await getPowerState(d.driver, instance), vm_state: VmState.STOPPED, task_state: null });
      }
    });
  }

  /** Same-host resize: prep_resize → resize_instance → finish_resize in one message, with their states. */
  async resize_instance(ctx: RequestContext, args: Args): Promise<void> {
    const instance = requireInstance(args);
    const d = this._deps;
    const newFlavor = (args.flavor ?? args.instance_type ?? args.new_flavor) as Flavor | undefined;
    if (!newFlavor) throw Object.assign(new Error("resize_instance needs the new flavor in `flavor`"), { name: "ValueError", code: 400 });
    const oldFlavor = instance.flavor;
    const wasRunning = instance.vm_state !== VmState.STOPPED;
    await this._op(ctx, "resize_instance", instance, { revertsTaskState: true, errorOnFailure: true }, async () => {
      await save(d, ctx, instance, { task_state: TaskState.RESIZE_MIGRATING }, TaskState.RESIZE_PREP);
      await withSpan("migrate_disk_and_power_off", "driver", () =>
        d.driver.power_off(instance, args.clean_shutdown === false ? 0 : 60, 10),
      );
      await save(
        d,
        ctx,
        instance,
        { task_state: TaskState.RESIZE_MIGRATED, power_state: await getPowerState(d.driver, instance) },
        TaskState.RESIZE_MIGRATING,
      );
      await save(
        d,
        ctx,
        instance,
        { task_state: TaskState.RESIZE_FINISH, flavor: newFlavor, old_flavor: oldFlavor, new_flavor: newFlavor },
        TaskState.RESIZE_MIGRATED,
      );
      await withSpan("finish_migration", "driver", () => d.driver.finish_migration(ctx, instance, wasRunning));
      await save(
        d,
        ctx,
        instance,
        { vm_state: VmState.RESIZED, task_state: null, power_state: await getPowerState(d.driver, instance) },
        TaskState.RESIZE_FINISH,
      );
      d.resourcesChanged();
    });
  }

  async confirm_resize(ctx: RequestContext, args: Args): Promise<void> {
    const instance = requireInstance(args);
    const d = this._deps;
    await this._op(ctx, "confirm_resize", instance, {}, async () => {
      const power_state = await getPowerState(d.driver, instance);
      const vm_state = power_state === PowerState.SHUTDOWN ? VmState.STOPPED : VmState.ACTIVE;
      await save(d, ctx, instance, { vm_state, task_state: null, power_state, old_flavor: null, new_flavor: null }, [
        null,
        "resize_confirming",
      ]);
    });
  }

  async revert_resize(ctx: RequestContext, args: Args): Promise<void> {
    const instance = requireInstance(args);
    const d = this._deps;
    const oldFlavor = (instance.old_flavor ?? args.old_flavor) as Flavor | undefined;
    if (!oldFlavor)
      throw Object.assign(new Error(`instance ${instance.uuid} has no old flavor to revert to`), {
        name: "InstanceInvalidState",
        code: 409,
      });
    await this._op(ctx, "revert_resize", instance, { revertsTaskState: true, errorOnFailure: true }, async () => {
      await save(d, ctx, instance, { flavor: oldFlavor, old_flavor: null, new_flavor: null });
      const powerOn = (await getPowerState(d.driver, instance)) !== PowerState.SHUTDOWN || instance.power_state === PowerState.RUNNING;
      await withSpan("finish_revert_migration", "driver", () => d.driver.finish_revert_migration(ctx, instance, powerOn));
      const power_state = await getPowerState(d.driver, instance);
      await save(
        d,
        ctx,
        instance,
        { vm_state: power_state === PowerState.RUNNING ? VmState.ACTIVE : VmState.STOPPED, task_state: null, power_state },
        TaskState.RESIZE_REVERTING,
      );
      d.resourcesChanged();
    });
  }

  async snapshot_instance(ctx: RequestContext, args: Args): Promise<void> {
    const instance = requireInstance(args);
    const d = this._deps;
    const imageId = String(args.image_id ?? "");
    if (!imageId) throw Object.assign(new Error("snapshot_instance needs image_id"), { name: "ValueError", code: 400 });
    await this._op(ctx, "snapshot_instance", instance, { revertsTaskState: true }, async () => {
      await save(d, ctx, instance, { task_state: TaskState.IMAGE_SNAPSHOT }, TaskState.IMAGE_SNAPSHOT_PENDING);
      const update = async (task_state: string, expected: string = TaskState.IMAGE_SNAPSHOT) => {
        await save(d, ctx, instance, { task_state }, expected);
      };
      await withSpan("snapshot", "driver", () => d.driver.snapshot(ctx, instance, imageId, update), { attributes: { image_id: imageId } });
      await save(d, ctx, instance, { task_state: null }, TaskState.IMAGE_UPLOADING);
    });
  }

  // ---- consoles (calls) ----------------------------------------------------------------------------

  async get_console_output(ctx: RequestContext, args: Args): Promise<string> {
    const instance = requireInstance(args);
    const output = await this._deps.driver.get_console_output(ctx, instance);
    return tailLog(output, args.tail_length);
  }

  async get_vnc_console(ctx: RequestContext, args: Args): Promise<Record<string, unknown>> {
    const instance = requireInstance(args);
    const type = String(args.console_type ?? "novnc");
    const cfg = this._deps.config;
    if (!cfg.bool("vnc", "enabled")) throw new ConsoleTypeUnavailable(type);
    if (type !== "novnc" && type !== "xvpvnc") throw new ConsoleTypeInvalid(type);
    const c = await this._deps.driver.get_vnc_console(ctx, instance);
    // [vnc] novncproxy_base_url, as Nova's compute reads it (its default follows this cloud's address and port).
    const base = novncBaseUrl(cfg);
    return { host: c.host, port: c.port, internal_access_path: c.internal_access_path, access_url_base: base };
  }

  async get_serial_console(ctx: RequestContext, args: Args): Promise<Record<string, unknown>> {
    const instance = requireInstance(args);
    const type = String(args.console_type ?? "serial");
    if (type !== "serial") throw new ConsoleTypeInvalid(type);
    const c = await this._deps.driver.get_serial_console(ctx, instance);
    // nova-serialproxy's default base_url.
    return {
      host: c.host,
      port: c.port,
      internal_access_path: null,
      access_url_base: `ws://${this._deps.config.str("DEFAULT", "my_ip")}:6083/`,
    };
  }

  /**
   * pocketstack (no Nova counterpart): where the guest's sshd answers — the host port the driver forwards
   * to the guest's port 22 under user-mode networking. `os server ssh` asks for it through the API.
   */
  async get_ssh_endpoint(_ctx: RequestContext, args: Args): Promise<{ host: string; port: number }> {
    const instance = requireInstance(args);
    const driver = this._deps.driver as { get_ssh_endpoint?: (i: Instance) => { host: string; port: number } };
    if (typeof driver.get_ssh_endpoint !== "function") throw new ConsoleTypeUnavailable("ssh");
    return driver.get_ssh_endpoint(instance);
  }

  // ---- helpers (underscore: not reachable over RPC) ------------------------------------------------

  /** The decorators of a Nova manager method: lock, reverts_task_state, wrap_instance_event, wrap_instance_fault. */
  async _op(ctx: RequestContext, method: string, instance: Instance, opts: OpOptions, fn: () => Promise<void>): Promise<void> {
    const d = this._deps;
    await d.instanceLocks.run(instance.uuid, async () => {
      try {
        await withInstanceEvent(d.conductor, ctx, d.host, instance.uuid, `compute_${method}`, async () => {
          try {
            await fn();
          } catch (err) {
            if (!isInstanceNotFound(err)) await addInstanceFault(d.conductor, ctx, d.host, instance.uuid, err);
            throw err;
          }
        });
      } catch (err) {
        log.error(`instance ${instance.uuid}: ${method} failed: ${(err as Error).message}`, ctx.request_id);
        if (opts.errorOnFailure) await setErrorState(d, ctx, instance, true);
        else if (opts.revertsTaskState) {
          try {
            await save(d, ctx, instance, { task_state: null });
          } catch {
            // gone or changed meanwhile: nothing to revert
          }
        }
        throw err;
      }
    });
  }

  /** pause/unpause/suspend/resume: driver call, then power_state + vm_state, task_state back to None. */
  async _simple(
    ctx: RequestContext,
    args: Args,
    method: string,
    call: (i: Instance) => Promise<void>,
    vmState: string,
    expected: string,
  ): Promise<void> {
    const instance = requireInstance(args);
    const d = this._deps;
    await this._op(ctx, method, instance, { revertsTaskState: true }, async () => {
      await withSpan(method.replace("_instance", ""), "driver", () => call(instance));
      const power_state = await getPowerState(d.driver, instance);
      await save(d, ctx, instance, { power_state, vm_state: vmState, task_state: null }, expected);
    });
  }
}

function requireInstance(args: Args): Instance {
  const instance = args?.instance as Instance | undefined;
  if (!instance || typeof instance.uuid !== "string") {
    throw Object.assign(new Error("the message has no `instance` with a uuid"), { name: "ValueError", code: 400 });
  }
  return instance;
}

/** nova's _tail_log: the last `length` lines, or everything when no length is given. */
export function tailLog(output: string, length: unknown): string {
  if (length === undefined || length === null || length === "") return output;
  const n = Number(length);
  if (!Number.isInteger(n) || n < 0) return output;
  if (n === 0) return "";
  return output.split("\n").slice(-n).join("\n");
}
