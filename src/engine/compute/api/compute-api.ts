import { randomBytes, randomUUID } from "node:crypto";
import type { RequestContext } from "../../common/context.js";
import { HttpError } from "../../common/http/errors.js";
import { log } from "../../common/log.js";
import { withSpan } from "../../common/trace/tracer.js";
import { RPC_VERSION } from "../cells/rpc.js";
import { utcNow } from "../db/open.js";
import { actionStartFor } from "../objects/actions.js";
import {
  type ImageMeta,
  type RequestSpec,
  createBuildRequest,
  createInstanceMapping,
  deleteBuildRequest,
  deleteRequestSpec,
  saveRequestSpec,
} from "../objects/build-requests.js";
import { type Flavor, flavorByFlavorId, flavorInfo, flavorVisible } from "../objects/flavors.js";
import { type Instance, POWER, destroyInstance, saveInstance } from "../objects/instance.js";
import { keypairByName } from "../objects/keypairs.js";
import { OverQuota, checkInstanceQuota, instanceUsage, projectLimits } from "../objects/quotas.js";
import { addGroupMember, getServerGroup, removeGroupMember } from "../objects/server-groups.js";
import { serviceByHostAndBinary, serviceIsUp } from "../objects/services.js";
import type { FoundServer, NovaApi } from "./nova-api.js";

export interface CreateRequest {
  name: string;
  imageRef: string;
  flavorRef: string;
  metadata: Record<string, string>;
  key_name?: string;
  availability_zone?: string;
  user_data?: string;
  config_drive?: boolean;
  min_count: number;
  max_count: number;
  description?: string | null;
  tags: string[];
  group?: string;
  hints: Record<string, unknown>;
  access_ip_v4?: string;
  access_ip_v6?: string;
  forced_host?: string;
}

const lastSegment = (ref: string) => ref.replace(/\/+$/, "").split("/").pop() ?? ref;

/** A hostname from a display name, as Nova sanitizes it (lowercase, [a-z0-9-], at most 63 characters). */
export function sanitizeHostname(name: string): string {
  const h = name
    .toLowerCase()
    .replace(/[ _]/g, "-")
    .replace(/[^\w.-]+/g, "")
    .replace(/_/g, "")
    .replace(/^[.-]+|[.-]+$/g, "")
    .slice(0, 63);
  return h || "server";
}

/**
 * nova.compute.api.API: validates and normalises a request against flavors, images (Glance over
 * HTTP), key pairs and quotas, then provisions build requests and hands them to the conductor; and
 * the state checks and casts of the server actions.
 */
export class ComputeAPI {
  constructor(private readonly api: NovaApi) {}

  /** The flavor a request names (id or URL), visible to the project. */
  flavor(ctx: RequestContext, ref: string): Flavor {
    const id = lastSegment(String(ref));
    const f = flavorByFlavorId(this.api.apiDb, id);
    if (!f || !flavorVisible(this.api.apiDb, f, ctx.project_id, this.api.isAdmin(ctx)))
      throw new HttpError(400, `Flavor ${id} could not be found.`);
    if (f.disabled) throw new HttpError(400, `Flavor ${id} is disabled.`);
    return f;
  }

  /** The image from Glance, asked with the user's own token (so visibility is Glance's). */
  async image(ctx: RequestContext, ref: string): Promise<ImageMeta> {
    const id = lastSegment(ref);
    const res = await this.api.clients.request<Record<string, unknown>>("image", "GET", `/v2/images/${encodeURIComponent(id)}`, { ctx });
    if (res.status === 404 || res.status === 403) throw new HttpError(400, `Image ${id} could not be found.`);
    if (res.status !== 200) throw new HttpError(503, `The image service answered ${res.status} for image ${id}.`);
    const body = res.body;
    const known = new Set([
      "id",
      "name",
      "status",
      "min_ram",
      "min_disk",
      "size",
      "disk_format",
      "container_format",
      "checksum",
      "owner",
      "visibility",
      "protected",
      "created_at",
      "updated_at",
      "tags",
      "self",
      "file",
      "schema",
      "virtual_size",
      "os_hidden",
      "os_hash_algo",
      "os_hash_value",
      "locations",
      "direct_url",
    ]);
    const properties: Record<string, string> = {};
    for (const [k, v] of Object.entries(body)) if (!known.has(k) && v !== null && typeof v !== "object") properties[k] = String(v);
    return {
      id: String(body.id),
      name: body.name as string | undefined,
      status: body.status as string | undefined,
      min_ram: Number(body.min_ram ?? 0),
      min_disk: Number(body.min_disk ?? 0),
      size: (body.size as number | null) ?? null,
      disk_format: (body.disk_format as string | null) ?? null,
      container_format: (body.container_format as string | null) ?? null,
      properties,
    };
  }

  /** Availability zones that exist: the default one plus those named by aggregates. */
  zones(): string[] {
    const rows = this.api.apiDb.prepare("SELECT DISTINCT value FROM aggregate_metadata WHERE key = 'availability_zone'").all() as Array<{
      value: string;
    }>;
    return [this.api.config.str("DEFAULT", "default_availability_zone"), ...rows.map((r) => r.value)];
  }

  async create(ctx: RequestContext, r: CreateRequest): Promise<{ instances: Instance[]; reservation_id: string }> {
    return withSpan("compute_api.create", "internal", async (span) => {
      const flavor = this.flavor(ctx, r.flavorRef);
      const image = await this.image(ctx, r.imageRef);
      if (image.status !== "active") throw new HttpError(400, `Image ${image.id} is not active.`);
      if (image.min_ram > flavor.memory_mb) throw new HttpError(400, "Flavor's memory is too small for requested image.");
      const imageGb = Math.ceil((image.size ?? 0) / 1024 ** 3);
      if (flavor.root_gb > 0 && (image.min_disk > flavor.root_gb || imageGb > flavor.root_gb))
        throw new HttpError(
          400,
          image.min_disk > flavor.root_gb
            ? `Flavor's disk is too small for requested image. Flavor disk is ${flavor.root_gb * 1024 ** 3} bytes, minimum required by image is ${image.min_disk * 1024 ** 3} bytes.`
            : `Flavor's disk is too small for requested image. Flavor disk is ${flavor.root_gb * 1024 ** 3} bytes, image is ${image.size} bytes.`,
        );
      let keyData: string | null = null;
      if (r.key_name) {
        const kp = keypairByName(this.api.apiDb, ctx.user_id ?? "", r.key_name);
        if (!kp) throw new HttpError(400, "Invalid key_name provided.");
        keyData = kp.public_key;
      }
      if (r.availability_zone && !this.zones().includes(r.availability_zone))
        throw new HttpError(400, "The requested availability zone is not available");
      let group: ReturnType<typeof getServerGroup>;
      if (r.group) {
        group = getServerGroup(this.api.apiDb, r.group);
        if (!group || (group.project_id !== ctx.project_id && !this.api.isAdmin(ctx)))
          throw new HttpError(400, `Instance group ${r.group} could not be found.`);
      }
      const limits = projectLimits(this.api.apiDb, this.api.config, ctx.project_id ?? "");
      if (limits.metadata_items >= 0 && Object.keys(r.metadata).length > limits.metadata_items)
        throw new HttpError(
          403,
          `Quota exceeded for metadata_items: Requested ${Object.keys(r.metadata).length}, but already used 0 of ${limits.metadata_items} metadata_items`,
        );
      if (group && limits.server_group_members >= 0 && group.members.length + r.max_count > limits.server_group_members)
        throw new HttpError(403, "Quota exceeded, too many servers in group");
      const fi = flavorInfo(flavor);
      // Quota: as many of max_count as fit, but at least min_count (Nova's _check_num_instances_quota).
      let count = r.max_count;
      const usage = instanceUsage(this.api.cells, ctx.project_id ?? "");
      for (;;) {
        try {
          checkInstanceQuota(limits, usage, fi, count);
          break;
        } catch (err) {
          if (!(err instanceof OverQuota) || count <= r.min_count) throw new HttpError(403, (err as Error).message);
          count -= 1;
        }
      }
      span.set("count", count);
      const reservation_id = `r-${randomBytes(4).toString("hex").slice(0, 8)}`;
      const instances = await withSpan("_provision_instances", "internal", () =>
        this.provision(
          ctx,
          r,
          fi,
          image,
          count,
          reservation_id,
          keyData,
          group ? { uuid: group.uuid, policy: group.policy, rules: group.rules, members: group.members } : null,
        ),
      );
      await withSpan("compute_task_api.schedule_and_build_instances", "internal", () =>
        this.conductorCast(ctx, "schedule_and_build_instances", {
          build_requests: instances.map((i) => ({ instance: i, tags: r.tags })),
          request_specs: instances.map((i) => this.specFor(ctx, i, fi, image, r, count, group)),
          image,
        }),
      );
      return { instances, reservation_id };
    });
  }

  private specFor(
    ctx: RequestContext,
    inst: Instance,
    flavor: Instance["flavor"],
    image: ImageMeta,
    r: CreateRequest,
    count: number,
    group: ReturnType<typeof getServerGroup>,
  ): RequestSpec {
    return {
      instance_uuid: inst.uuid,
      project_id: ctx.project_id ?? "",
      user_id: ctx.user_id ?? "",
      flavor,
      image,
      availability_zone: r.availability_zone ?? null,
      num_instances: count,
      scheduler_hints: r.hints,
      instance_group: group ? { uuid: group.uuid, policy: group.policy, rules: group.rules, members: [...group.members], hosts: [] } : null,
      ignore_hosts: [],
      force_hosts: r.forced_host ? [r.forced_host] : [],
      retry: null,
      requested_destination: r.forced_host ? { host: r.forced_host } : null,
    };
  }

  /** _provision_instances: per instance a RequestSpec, a BuildRequest and an InstanceMapping (no cell yet), in one transaction. */
  private provision(
    ctx: RequestContext,
    r: CreateRequest,
    flavor: Instance["flavor"],
    image: ImageMeta,
    count: number,
    reservation_id: string,
    keyData: string | null,
    group: { uuid: string; policy: string; rules: Record<string, unknown>; members: string[] } | null,
  ): Instance[] {
    const db = this.api.apiDb;
    const out: Instance[] = [];
    db.transaction(() => {
      for (let i = 0; i < count; i++) {
        const uuid = randomUUID();
        const displayName = count > 1 ? `${r.name}-${i + 1}` : r.name;
        const inst: Instance = {
          id: null,
          uuid,
          name: "",
          display_name: displayName,
          display_description: r.description === undefined ? null : r.description,
          hostname: sanitizeHostname(displayName),
          project_id: ctx.project_id ?? "",
          user_id: ctx.user_id ?? "",
          image_ref: image.id,
          flavor,
          vm_state: "building",
          task_state: "scheduling",
          power_state: POWER.NOSTATE,
          host: null,
          node: null,
          launched_on: null,
          availability_zone: r.availability_zone ?? null,
          launched_at: null,
          terminated_at: null,
          key_name: r.key_name ?? null,
          key_data: keyData,
          user_data: r.user_data ?? null,
          config_drive: r.config_drive ? "True" : "",
          locked: false,
          locked_by: null,
          access_ip_v4: r.access_ip_v4 ?? null,
          access_ip_v6: r.access_ip_v6 ?? null,
          progress: 0,
          reservation_id,
          launch_index: i,
          metadata: r.metadata,
          system_metadata: {
            image_base_image_ref: image.id,
            image_min_ram: String(image.min_ram),
            image_min_disk: String(image.min_disk),
            ...prefixed(image.properties),
          },
          created_at: utcNow(),
          updated_at: null,
          deleted: false,
          deleted_at: null,
        };
        saveRequestSpec(db, this.specFor(ctx, inst, flavor, image, r, count, undefined));
        createBuildRequest(db, inst, r.tags);
        createInstanceMapping(db, uuid, inst.project_id, inst.user_id);
        if (group) {
          addGroupMember(db, group.uuid, uuid);
          group.members.push(uuid);
        }
        out.push(inst);
      }
    })();
    return out;
  }

  /** A cast to the super conductor on the cell1 bus (the compute task API). */
  private async conductorCast(ctx: RequestContext, method: string, args: Record<string, unknown>): Promise<void> {
    const cell1 = this.api.cells.realCells()[0];
    const url = cell1?.transport_url ?? this.api.config.str("DEFAULT", "transport_url");
    await this.api.buses.forUrl(url).cast(ctx, "conductor", method, args, { version: RPC_VERSION.conductor });
  }

  /** check_instance_state: 409 "Cannot '<action>' instance <uuid> while it is in <attr> <state>". */
  checkState(s: FoundServer, action: string, vmStates: string[] | null, taskStates: Array<string | null> | null = [null]): void {
    const i = s.instance;
    if (vmStates && !vmStates.includes(i.vm_state ?? ""))
      throw new HttpError(409, `Cannot '${action}' instance ${i.uuid} while it is in vm_state ${i.vm_state}`);
    if (taskStates && !taskStates.includes(i.task_state))
      throw new HttpError(409, `Cannot '${action}' instance ${i.uuid} while it is in task_state ${i.task_state}`);
  }

  /** check_instance_lock: a locked server refuses changes except from an admin. */
  checkLock(ctx: RequestContext, s: FoundServer): void {
    if (s.instance.locked && !this.api.isAdmin(ctx)) throw new HttpError(409, `Instance ${s.instance.uuid} is locked`);
  }

  /** Server must be in a cell with a host to act on it. */
  inCell(
    s: FoundServer,
    action: string,
  ): asserts s is FoundServer & { db: NonNullable<FoundServer["db"]>; cell: NonNullable<FoundServer["cell"]> } {
    if (!s.db || !s.cell || !s.instance.host)
      throw new HttpError(409, `Cannot '${action}' instance ${s.instance.uuid} while it is in vm_state ${s.instance.vm_state}`);
  }

  /** Record the action, move task_state (compare-and-swap), and cast the method to the server's compute host. */
  async castToHost(
    ctx: RequestContext,
    s: FoundServer,
    action: string,
    method: string,
    updates: Record<string, unknown>,
    args: Record<string, unknown> = {},
  ): Promise<Instance> {
    this.inCell(s, action);
    const inst = saveInstance(s.db, s.instance.uuid, updates, { expected_task_state: [null] });
    actionStartFor(s.db, ctx, inst.uuid, action);
    await this.api.buses
      .forCell(s.cell)
      .cast(ctx, `compute.${inst.host}`, method, { instance: inst, ...args }, { version: RPC_VERSION.compute });
    return inst;
  }

  /** A call (with a reply) to the server's compute host; waits [DEFAULT] rpc_response_timeout unless told. */
  async callHost<T>(ctx: RequestContext, s: FoundServer, method: string, args: Record<string, unknown>, timeoutMs?: number): Promise<T> {
    this.inCell(s, method);
    return this.api.buses
      .forCell(s.cell)
      .call<T>(ctx, `compute.${s.instance.host}`, method, { instance: s.instance, ...args }, { version: RPC_VERSION.compute, timeoutMs });
  }

  /**
   * compute_api.delete: a build request is simply removed; a server on a live host is marked deleting
   * and terminate_instance is cast there; otherwise (cell0, host down) it is deleted locally.
   */
  async delete(ctx: RequestContext, s: FoundServer): Promise<void> {
    const uuid = s.instance.uuid;
    if (!s.db || !s.cell) {
      if (deleteBuildRequest(this.api.apiDb, uuid)) {
        deleteRequestSpec(this.api.apiDb, uuid);
        removeGroupMember(this.api.apiDb, uuid);
        return;
      }
      // The conductor created it in a cell meanwhile: look again.
      return this.delete(ctx, this.api.findServer(ctx, uuid));
    }
    if (s.instance.task_state === "deleting") return;
    const svc = s.instance.host ? serviceByHostAndBinary(s.db, s.instance.host, "nova-compute") : null;
    actionStartFor(s.db, ctx, uuid, "delete");
    if (svc && serviceIsUp(svc, this.api.config.int("DEFAULT", "service_down_time"))) {
      const inst = saveInstance(s.db, uuid, { task_state: "deleting" });
      await this.api.buses
        .forCell(s.cell)
        .cast(ctx, `compute.${inst.host}`, "terminate_instance", { instance: inst }, { version: RPC_VERSION.compute });
      return;
    }
    // _local_delete: nobody to ask; remove the record and the allocations ourselves.
    destroyInstance(s.db, uuid);
    removeGroupMember(this.api.apiDb, uuid);
    this.api.apiDb.prepare("UPDATE instance_mappings SET queued_for_delete = 1 WHERE instance_uuid = ?").run(uuid);
    const res = await this.api.clients.request("placement", "DELETE", `/allocations/${uuid}`).catch((err: Error) => {
      log.warning(`could not delete allocations of ${uuid}: ${err.message}`);
      return undefined;
    });
    if (res && res.status !== 204 && res.status !== 404) log.warning(`DELETE /allocations/${uuid} answered ${res.status}`);
  }
}

function prefixed(props: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(props).map(([k, v]) => [`image_${k}`, v]));
}
