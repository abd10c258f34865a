import type { Config } from "../../common/config/config.js";
import type { RequestContext } from "../../common/context.js";
import type { Db } from "../../common/db/database.js";
import type { CellMapping, CellMappings } from "../cells/mappings.js";
import { eventFinish, eventStart } from "../objects/actions.js";
import {
  type Instance,
  InstanceNotFound,
  createFault,
  destroyInstance,
  getInstance,
  instancesByHost,
  saveInstance,
} from "../objects/instance.js";
import { removeGroupMember } from "../objects/server-groups.js";
import {
  type ComputeNode,
  type ServiceRecord,
  createService,
  serviceByHostAndBinary,
  updateService,
  upsertComputeNode,
} from "../objects/services.js";

/**
 * The remotable object methods (docs/nova-rpc.md): nova-compute has no database, so every lookup and
 * save of its Service, ComputeNode, Instance, InstanceAction and InstanceFault objects arrives here over
 * RPC and is done against this conductor's cell database (the cell whose bus it serves).
 */
export class ConductorManager {
  constructor(
    private readonly cells: CellMappings,
    private readonly cell: CellMapping,
    private readonly config: Config,
  ) {}

  private get db(): Db {
    return this.cells.db(this.cell);
  }

  /** The database an instance lives in: its mapping's cell, else this conductor's own. */
  private dbOf(uuid: string): Db {
    const where = this.cells.instanceCell(uuid);
    return where?.cell ? this.cells.db(where.cell) : this.db;
  }

  service_get_by_host_and_binary(_ctx: RequestContext, a: { host: string; binary: string }): ServiceRecord | null {
    return serviceByHostAndBinary(this.db, a.host, a.binary);
  }

  service_create(_ctx: RequestContext, a: { host: string; binary: string; topic?: string; availability_zone?: string }): ServiceRecord {
    return createService(this.db, {
      ...a,
      availability_zone:
        a.availability_zone ?? (a.binary === "nova-compute" ? this.config.str("DEFAULT", "default_availability_zone") : "internal"),
    });
  }

  service_update(_ctx: RequestContext, a: { id: number; updates: Record<string, unknown> }): ServiceRecord | null {
    return updateService(this.db, a.id, a.updates ?? {});
  }

  compute_node_update(_ctx: RequestContext, a: { host: string; node: string; resources: Record<string, unknown> }): ComputeNode {
    return upsertComputeNode(this.db, a.host, a.node, a.resources ?? {});
  }

  instance_get_all_by_host(_ctx: RequestContext, a: { host: string }): Instance[] {
    return instancesByHost(this.db, a.host);
  }

  instance_get(_ctx: RequestContext, a: { uuid: string }): Instance {
    return getInstance(this.dbOf(a.uuid), a.uuid);
  }

  instance_save(
    _ctx: RequestContext,
    a: { uuid: string; updates: Record<string, unknown>; expected_task_state?: unknown; expected_vm_state?: unknown },
  ): Instance {
    return saveInstance(this.dbOf(a.uuid), a.uuid, a.updates ?? {}, {
      expected_task_state: a.expected_task_state,
      expected_vm_state: a.expected_vm_state,
    });
  }

  instance_destroy(_ctx: RequestContext, a: { uuid: string }): void {
    const db = this.dbOf(a.uuid);
    destroyInstance(db, a.uuid);
    removeGroupMember(this.cells.apiDb, a.uuid);
  }

  instance_action_event_start(ctx: RequestContext, a: { uuid: string; event: string; request_id?: string; host?: string }): void {
    eventStart(this.dbOf(a.uuid), { uuid: a.uuid, event: a.event, request_id: a.request_id ?? ctx.request_id ?? "", host: a.host });
  }

  instance_action_event_finish(
    ctx: RequestContext,
    a: { uuid: string; event: string; request_id?: string; result: string; traceback?: string; details?: string },
  ): void {
    eventFinish(this.dbOf(a.uuid), { ...a, request_id: a.request_id ?? ctx.request_id ?? "" });
  }

  instance_fault_create(_ctx: RequestContext, a: { uuid: string; code: number; message: string; details?: string; host?: string }): void {
    const db = this.dbOf(a.uuid);
    if (!db.prepare("SELECT 1 FROM instances WHERE uuid = ?").get(a.uuid)) throw new InstanceNotFound(a.uuid);
    createFault(db, a);
  }
}
