import type { Config } from "../../common/config/config.js";
import type { RequestContext } from "../../common/context.js";
import { log } from "../../common/log.js";
import { type RpcClient, excType } from "../../common/rpc/index.js";
import { withSpan } from "../../common/trace/tracer.js";
import type { CellMapping, CellMappings } from "../cells/mappings.js";
import { type CellBuses, RPC_VERSION } from "../cells/rpc.js";
import { actionStartFor, eventFinish, eventStart } from "../objects/actions.js";
import { type ImageMeta, type RequestSpec, deleteBuildRequest, getRequestSpec, saveRequestSpec } from "../objects/build-requests.js";
import { type Instance, createFault, createInstance, destroyInstance, findInstance, saveInstance } from "../objects/instance.js";
import type { ServiceClients } from "../objects/service-clients.js";
import { hostAvailabilityZone } from "../objects/server-groups.js";
import type { Selection } from "../scheduler/manager.js";

const PLACEMENT_VERSION = "1.36";

/** One instance of a schedule_and_build_instances request (the BuildRequest's instance and its tags). */
export interface BuildRequestArg {
  instance: Instance;
  tags: string[];
}

class MaxRetriesExceeded extends Error {
  override name = "MaxRetriesExceeded";
}

/**
 * ComputeTaskManager (nova.conductor.manager): the long-running tasks. schedule_and_build_instances asks the
 * scheduler for hosts, buries what cannot be placed in cell0, and for the rest creates the instance in the
 * host's cell, removes the build request and casts build_and_run_instance to the host; build_instances is
 * the reschedule path a compute takes after a failed spawn.
 */
export class ComputeTaskManager {
  constructor(
    private readonly config: Config,
    private readonly cells: CellMappings,
    private readonly buses: CellBuses,
    private readonly scheduler: RpcClient,
    private readonly clients: ServiceClients,
  ) {}

  async schedule_and_build_instances(
    ctx: RequestContext,
    a: { build_requests: BuildRequestArg[]; request_specs: RequestSpec[]; image: ImageMeta; host_lists?: Selection[][] },
  ): Promise<void> {
    const uuids = a.build_requests.map((b) => b.instance.uuid);
    const spec = a.request_specs[0];
    if (!spec) return;
    let hostLists: Selection[][];
    try {
      hostLists = await withSpan("_schedule_instances", "internal", () =>
        this.scheduler.call<Selection[][]>(
          ctx,
          "scheduler",
          "select_destinations",
          { request_spec: spec, instance_uuids: uuids, return_alternates: true },
          {
            version: RPC_VERSION.scheduler,
          },
        ),
      );
    } catch (err) {
      const reason = excType(err) === "NoValidHost" ? (err as Error).message : `${excType(err)}: ${(err as Error).message}`;
      log.warning(`Failed to schedule instances ${uuids.join(", ")}: ${reason}`);
      // A multi-create may have claimed some instances before the scheduler gave up: release them.
      for (const uuid of uuids) await this.deleteAllocations(uuid);
      for (const br of a.build_requests)
        this.buryInCell0(ctx, br, excType(err) === "NoValidHost" ? (err as Error).message : "No valid host was found. " + reason, err);
      return;
    }
    for (let i = 0; i < a.build_requests.length; i++) {
      const br = a.build_requests[i] as BuildRequestArg;
      const hosts = hostLists[i] ?? [];
      const chosen = hosts[0];
      const rs = a.request_specs[i] ?? { ...spec, instance_uuid: br.instance.uuid };
      if (!chosen) {
        this.buryInCell0(ctx, br, "No valid host was found. There are not enough hosts available.");
        continue;
      }
      const cell = this.cells.cellForHost(chosen.service_host);
      if (!cell) {
        await this.deleteAllocations(br.instance.uuid);
        this.buryInCell0(ctx, br, `Host '${chosen.service_host}' is not mapped to any cell`);
        continue;
      }
      await this.buildInCell(ctx, br, rs, a.image, cell, chosen, hosts.slice(1));
    }
  }

  /** The instance's row in its cell, the build request gone, the cast to the host (or a cleanup if the user deleted it meanwhile). */
  private async buildInCell(
    ctx: RequestContext,
    br: BuildRequestArg,
    spec: RequestSpec,
    image: ImageMeta,
    cell: CellMapping,
    chosen: Selection,
    alternates: Selection[],
  ): Promise<void> {
    const db = this.cells.db(cell);
    const zone =
      br.instance.availability_zone ??
      hostAvailabilityZone(this.cells.apiDb, chosen.service_host, this.config.str("DEFAULT", "default_availability_zone"));
    let instance = createInstance(db, {
      ...br.instance,
      host: chosen.service_host,
      node: chosen.nodename,
      launched_on: chosen.service_host,
      availability_zone: zone,
      vm_state: "building",
      task_state: "scheduling",
    });
    actionStartFor(db, ctx, instance.uuid, "create");
    const tagIns = db.prepare("INSERT OR IGNORE INTO tags (resource_id, tag) VALUES (?, ?)");
    for (const t of br.tags) tagIns.run(instance.uuid, t);
    this.cells.setInstanceCell(instance.uuid, cell);
    if (!deleteBuildRequest(this.cells.apiDb, instance.uuid)) {
      // The user deleted the server while it was being scheduled: undo, as Nova's conductor does.
      destroyInstance(db, instance.uuid);
      await this.deleteAllocations(instance.uuid);
      log.info(`Build request for ${instance.uuid} was deleted before the instance was created; cleaned up`);
      return;
    }
    instance = saveInstance(db, instance.uuid, {}, {});
    spec.retry = { num_attempts: 1, hosts: [chosen.service_host] };
    saveRequestSpec(this.cells.apiDb, spec);
    await this.buses.forCell(cell).cast(
      ctx,
      `compute.${chosen.service_host}`,
      "build_and_run_instance",
      {
        instance,
        image,
        request_spec: spec,
        filter_properties: {
          retry: { num_attempts: 1, hosts: [[chosen.service_host, chosen.nodename]] },
          scheduler_hints: spec.scheduler_hints ?? {},
        },
        node: chosen.nodename,
        limits: chosen.limits ?? {},
        host_list: [chosen, ...alternates],
      },
      { version: RPC_VERSION.compute },
    );
  }

  /** _bury_in_cell0: the instance goes to cell0 in ERROR with a fault, its build request is removed. */
  private buryInCell0(ctx: RequestContext, br: BuildRequestArg, message: string, err?: unknown): void {
    const cell0 = this.cells.cell0();
    const db = this.cells.db(cell0);
    const uuid = br.instance.uuid;
    if (findInstance(db, uuid, true)) return;
    createInstance(db, { ...br.instance, vm_state: "error", task_state: null, host: null, node: null });
    createFault(db, { uuid, code: 500, message, details: faultDetails(err) });
    actionStartFor(db, ctx, uuid, "create");
    eventStart(db, { uuid, event: "conductor_schedule_and_build_instances", request_id: ctx.request_id ?? "" });
    eventFinish(db, {
      uuid,
      event: "conductor_schedule_and_build_instances",
      request_id: ctx.request_id ?? "",
      result: "Error",
      traceback: message,
    });
    const tagIns = db.prepare("INSERT OR IGNORE INTO tags (resource_id, tag) VALUES (?, ?)");
    for (const t of br.tags) tagIns.run(uuid, t);
    this.cells.setInstanceCell(uuid, cell0);
    if (!deleteBuildRequest(this.cells.apiDb, uuid)) destroyInstance(db, uuid);
  }

  /**
   * build_instances, the reschedule path: a compute whose spawn failed casts this with the hosts it
   * has left; the next alternate's allocation is claimed and the build goes there, until
   * [scheduler] max_attempts is reached (then the instance is ERROR with MaxRetriesExceeded).
   */
  async build_instances(
    ctx: RequestContext,
    a: {
      instances: Instance[];
      image: ImageMeta;
      filter_properties?: Record<string, any>;
      request_spec?: RequestSpec;
      host_lists?: Selection[][];
    },
  ): Promise<void> {
    for (let i = 0; i < a.instances.length; i++) {
      const inst = a.instances[i] as Instance;
      await withSpan("build_instances.reschedule", "internal", async (span) => {
        const where = this.cells.instanceCell(inst.uuid);
        const cell = where?.cell;
        if (!cell) return;
        const db = this.cells.db(cell);
        const retry = (a.filter_properties?.retry as { num_attempts?: number; hosts?: Array<[string, string]> } | undefined) ?? {};
        const tried = new Set((retry.hosts ?? []).map((h) => (Array.isArray(h) ? h[0] : String(h))));
        if (inst.host) tried.add(inst.host);
        const attempts = (retry.num_attempts ?? 1) + 1;
        const spec = a.request_spec ?? getRequestSpec(this.cells.apiDb, inst.uuid);
        try {
          if (attempts > this.config.int("scheduler", "max_attempts"))
            throw new MaxRetriesExceeded(
              `Exceeded maximum number of retries. Exceeded max scheduling attempts ${this.config.int("scheduler", "max_attempts")} for instance ${inst.uuid}. Last exception: ${inst.uuid} failed to build`,
            );
          await this.deleteAllocations(inst.uuid);
          let candidates = (a.host_lists?.[i] ?? []).filter((s) => !tried.has(s.service_host));
          if (!a.host_lists && spec) {
            const fresh = await this.scheduler.call<Selection[][]>(
              ctx,
              "scheduler",
              "select_destinations",
              { request_spec: { ...spec, ignore_hosts: [...tried] }, instance_uuids: [inst.uuid], return_alternates: true },
              { version: RPC_VERSION.scheduler },
            );
            candidates = fresh[0] ?? [];
            // select_destinations already claimed the first one.
            const first = candidates[0];
            if (first) return this.rebuildOn(ctx, inst, a, spec, first, candidates.slice(1), attempts, tried);
          }
          for (const alt of candidates) {
            if (await this.claimAlternate(inst, spec, alt)) {
              span.set("host", alt.service_host);
              return this.rebuildOn(
                ctx,
                inst,
                a,
                spec,
                alt,
                candidates.filter((c) => c !== alt),
                attempts,
                tried,
              );
            }
          }
          throw new MaxRetriesExceeded(
            `Exceeded maximum number of retries. Exhausted all hosts available for retrying build failures for instance ${inst.uuid}.`,
          );
        } catch (err) {
          const message =
            excType(err) === "NoValidHost" || err instanceof MaxRetriesExceeded
              ? (err as Error).message
              : `${excType(err)}: ${(err as Error).message}`;
          log.warning(`Reschedule of ${inst.uuid} failed: ${message}`);
          saveInstance(db, inst.uuid, { vm_state: "error", task_state: null });
          createFault(db, { uuid: inst.uuid, code: 500, message, details: faultDetails(err), host: inst.host });
          await this.deleteAllocations(inst.uuid);
        }
      });
    }
  }

  private async rebuildOn(
    ctx: RequestContext,
    inst: Instance,
    a: { image: ImageMeta; filter_properties?: Record<string, any> },
    spec: RequestSpec | undefined,
    chosen: Selection,
    alternates: Selection[],
    attempts: number,
    tried: Set<string>,
  ): Promise<void> {
    const cell = this.cells.cellForHost(chosen.service_host);
    if (!cell) throw new MaxRetriesExceeded(`Host '${chosen.service_host}' is not mapped to any cell`);
    const db = this.cells.db(cell);
    const instance = saveInstance(db, inst.uuid, {
      host: chosen.service_host,
      node: chosen.nodename,
      launched_on: chosen.service_host,
      task_state: "scheduling",
      vm_state: "building",
    });
    const hosts = [...[...tried].map((h) => [h, h]), [chosen.service_host, chosen.nodename]];
    // Keep the attempt count with the RequestSpec, so a later reschedule (e.g. the build watchdog's) counts on from it.
    if (spec) saveRequestSpec(this.cells.apiDb, { ...spec, retry: { num_attempts: attempts, hosts: [...tried, chosen.service_host] } });
    await this.buses.forCell(cell).cast(
      ctx,
      `compute.${chosen.service_host}`,
      "build_and_run_instance",
      {
        instance,
        image: a.image,
        request_spec: spec,
        filter_properties: { ...(a.filter_properties ?? {}), retry: { num_attempts: attempts, hosts } },
        node: chosen.nodename,
        limits: chosen.limits ?? {},
        host_list: [chosen, ...alternates],
      },
      { version: RPC_VERSION.compute },
    );
  }

  private async claimAlternate(inst: Instance, spec: RequestSpec | undefined, alt: Selection): Promise<boolean> {
    if (!alt.allocation_request) return false;
    const ar = JSON.parse(alt.allocation_request) as { allocations: unknown };
    const res = await this.clients.request("placement", "PUT", `/allocations/${inst.uuid}`, {
      microversion: PLACEMENT_VERSION,
      body: {
        allocations: ar.allocations,
        project_id: spec?.project_id ?? inst.project_id,
        user_id: spec?.user_id ?? inst.user_id,
        consumer_generation: null,
      },
    });
    return res.status === 204;
  }

  private async deleteAllocations(uuid: string): Promise<void> {
    try {
      const res = await this.clients.request("placement", "DELETE", `/allocations/${uuid}`);
      if (res.status !== 204 && res.status !== 404) log.warning(`DELETE /allocations/${uuid} answered ${res.status}`);
    } catch (err) {
      log.warning(`could not delete allocations of ${uuid}: ${(err as Error).message}`);
    }
  }
}

/** A fault's details: the exception type and message, as Nova records them, without our code's stack frames. */
function faultDetails(err: unknown): string {
  return err instanceof Error ? `${excType(err)}: ${err.message}` : String(err);
}
