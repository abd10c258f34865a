import type { Db } from "../../common/db/database.js";
import { utcNow } from "../db/open.js";
import { stmt } from "../../common/db/statements.js";

/** Nova's power states (nova.compute.power_state). */
export const POWER = { NOSTATE: 0, RUNNING: 1, PAUSED: 3, SHUTDOWN: 4, CRASHED: 6, SUSPENDED: 7 } as const;

export interface FlavorInfo {
  flavorid: string;
  name: string;
  vcpus: number;
  memory_mb: number;
  root_gb: number;
  ephemeral_gb: number;
  swap: number;
  extra_specs: Record<string, string>;
  description?: string | null;
}

/** The Instance object as it crosses process boundaries (docs/nova-rpc.md): Nova's field names. */
export interface Instance {
  id: number | null;
  uuid: string;
  name: string;
  display_name: string | null;
  display_description: string | null;
  hostname: string | null;
  project_id: string;
  user_id: string;
  image_ref: string | null;
  flavor: FlavorInfo;
  vm_state: string | null;
  task_state: string | null;
  power_state: number;
  host: string | null;
  node: string | null;
  launched_on: string | null;
  availability_zone: string | null;
  launched_at: string | null;
  terminated_at: string | null;
  key_name: string | null;
  key_data: string | null;
  user_data: string | null;
  config_drive: string | null;
  locked: boolean;
  locked_by: string | null;
  access_ip_v4: string | null;
  access_ip_v6: string | null;
  progress: number | null;
  reservation_id: string | null;
  launch_index: number | null;
  metadata: Record<string, string>;
  system_metadata: Record<string, string>;
  created_at: string;
  updated_at: string | null;
  deleted: boolean;
  deleted_at: string | null;
}

/** instance.save(expected_task_state=…) found another task_state (nova.exception.UnexpectedTaskStateError). */
export class UnexpectedTaskStateError extends Error {
  override name = "UnexpectedTaskStateError";
  constructor(
    readonly instance_uuid: string,
    readonly expected: unknown,
    readonly actual: unknown,
    what = "task_state",
  ) {
    super(
      `Conflict updating instance ${instance_uuid}. Expected: {'${what}': ${JSON.stringify(expected)}}. Actual: {'${what}': ${JSON.stringify(actual)}}`,
    );
  }
}

export class InstanceNotFound extends Error {
  override name = "InstanceNotFound";
  constructor(readonly instance_id: string) {
    super(`Instance ${instance_id} could not be found.`);
  }
}

/** Columns a save may write directly (metadata, system_metadata and flavor are handled apart). */
const COLUMNS = new Set([
  "display_name",
  "display_description",
  "hostname",
  "image_ref",
  "vm_state",
  "task_state",
  "power_state",
  "host",
  "node",
  "launched_on",
  "availability_zone",
  "launched_at",
  "terminated_at",
  "key_name",
  "key_data",
  "user_data",
  "config_drive",
  "locked",
  "locked_by",
  "access_ip_v4",
  "access_ip_v6",
  "progress",
  "reservation_id",
  "launch_index",
  "root_device_name",
]);

type Row = Record<string, unknown> & { id: number; uuid: string; flavor: string; locked: number; deleted: number };

export const instanceName = (id: number | null) => (id === null ? "" : `instance-${id.toString(16).padStart(8, "0")}`);

function kv(db: Db, table: string, uuid: string): Record<string, string> {
  const rows = stmt(db, `SELECT key, value FROM ${table} WHERE instance_uuid = ? ORDER BY key`).all(uuid) as Array<{
    key: string;
    value: string;
  }>;
  return Object.fromEntries(rows.map((r) => [r.key, r.value]));
}

/**
 * Many rows at once (list views): metadata and system metadata come from one query per table for the
 * whole batch, not two per instance.
 */
export function rowsToInstances(db: Db, rows: Row[], opts: { systemMetadataOfLockedOnly?: boolean } = {}): Instance[] {
  if (rows.length === 0) return [];
  const load = (table: string, of: Row[]) => {
    const out = new Map<string, Record<string, string>>();
    if (of.length === 0) return out;
    const uuids = JSON.stringify(of.map((r) => r.uuid));
    const found = stmt(
      db,
      `SELECT instance_uuid, key, value FROM ${table} WHERE instance_uuid IN (SELECT value FROM json_each(?)) ORDER BY key`,
    ).all(uuids) as Array<{
      instance_uuid: string;
      key: string;
      value: string;
    }>;
    for (const kvRow of found) {
      let m = out.get(kvRow.instance_uuid);
      if (!m) {
        m = {};
        out.set(kvRow.instance_uuid, m);
      }
      m[kvRow.key] = kvRow.value;
    }
    return out;
  };
  const meta = load("instance_metadata", rows);
  // A list view reads system metadata only for a locked server's locked_reason: skip the rest.
  const sys = load("instance_system_metadata", opts.systemMetadataOfLockedOnly ? rows.filter((r) => r.locked === 1) : rows);
  // Servers of one flavor carry the same flavor JSON: parse each distinct one once (read-only in views).
  const flavors = new Map<string, FlavorInfo>();
  const flavorOf = (text: string) => {
    let f = flavors.get(text);
    if (!f) {
      f = JSON.parse(text) as FlavorInfo;
      flavors.set(text, f);
    }
    return f;
  };
  return rows.map((r) => fromRow(r, meta.get(r.uuid) ?? {}, sys.get(r.uuid) ?? {}, flavorOf));
}

export function rowToInstance(db: Db, r: Row): Instance {
  return fromRow(r, kv(db, "instance_metadata", r.uuid), kv(db, "instance_system_metadata", r.uuid));
}

function fromRow(
  r: Row,
  metadata: Record<string, string>,
  system_metadata: Record<string, string>,
  parseFlavor: (text: string) => FlavorInfo = (text) => JSON.parse(text) as FlavorInfo,
): Instance {
  return {
    id: r.id,
    uuid: r.uuid,
    name: instanceName(r.id),
    display_name: r.display_name as string | null,
    display_description: r.display_description as string | null,
    hostname: r.hostname as string | null,
    project_id: r.project_id as string,
    user_id: r.user_id as string,
    image_ref: r.image_ref as string | null,
    flavor: parseFlavor(r.flavor),
    vm_state: r.vm_state as string | null,
    task_state: r.task_state as string | null,
    power_state: r.power_state as number,
    host: r.host as string | null,
    node: r.node as string | null,
    launched_on: r.launched_on as string | null,
    availability_zone: r.availability_zone as string | null,
    launched_at: r.launched_at as string | null,
    terminated_at: r.terminated_at as string | null,
    key_name: r.key_name as string | null,
    key_data: r.key_data as string | null,
    user_data: r.user_data as string | null,
    config_drive: r.config_drive as string | null,
    locked: r.locked === 1,
    locked_by: r.locked_by as string | null,
    access_ip_v4: r.access_ip_v4 as string | null,
    access_ip_v6: r.access_ip_v6 as string | null,
    progress: r.progress as number | null,
    reservation_id: r.reservation_id as string | null,
    launch_index: r.launch_index as number | null,
    metadata,
    system_metadata,
    created_at: r.created_at as string,
    updated_at: r.updated_at as string | null,
    deleted: r.deleted !== 0,
    deleted_at: r.deleted_at as string | null,
  };
}

function toColumn(k: string, v: unknown): unknown {
  if (k === "locked") return v ? 1 : 0;
  if (typeof v === "boolean") return v ? "True" : "False";
  return v ?? null;
}

function writeKv(db: Db, table: string, uuid: string, values: Record<string, string>): void {
  db.prepare(`DELETE FROM ${table} WHERE instance_uuid = ?`).run(uuid);
  const ins = db.prepare(`INSERT INTO ${table} (instance_uuid, key, value) VALUES (?, ?, ?)`);
  for (const [k, v] of Object.entries(values)) ins.run(uuid, k, String(v));
}

/** instance.create(): the row in a cell database (cell0 for an instance that could not be scheduled). */
export function createInstance(db: Db, inst: Instance): Instance {
  return db
    .transaction(() => {
      const cols: Record<string, unknown> = {
        uuid: inst.uuid,
        project_id: inst.project_id,
        user_id: inst.user_id,
        flavor: JSON.stringify(inst.flavor),
      };
      cols.vcpus = inst.flavor.vcpus;
      cols.memory_mb = inst.flavor.memory_mb;
      cols.root_gb = inst.flavor.root_gb;
      cols.ephemeral_gb = inst.flavor.ephemeral_gb;
      for (const k of COLUMNS) if (k in inst) cols[k] = toColumn(k, (inst as unknown as Record<string, unknown>)[k]);
      cols.created_at = inst.created_at ?? utcNow();
      cols.updated_at = null;
      const names = Object.keys(cols);
      db.prepare(`INSERT INTO instances (${names.join(", ")}) VALUES (${names.map(() => "?").join(", ")})`).run(
        ...names.map((n) => cols[n]),
      );
      writeKv(db, "instance_metadata", inst.uuid, inst.metadata ?? {});
      writeKv(db, "instance_system_metadata", inst.uuid, inst.system_metadata ?? {});
      return getInstance(db, inst.uuid);
    })
    .immediate();
}

export function findInstance(db: Db, uuid: string, readDeleted = false): Instance | undefined {
  const r = stmt(db, `SELECT * FROM instances WHERE uuid = ?${readDeleted ? "" : " AND deleted = 0"}`).get(uuid) as Row | undefined;
  return r ? rowToInstance(db, r) : undefined;
}

export function getInstance(db: Db, uuid: string, readDeleted = false): Instance {
  const inst = findInstance(db, uuid, readDeleted);
  if (!inst) throw new InstanceNotFound(uuid);
  return inst;
}

const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : [v]);

/**
 * instance.save(): write the changed fields (BEGIN IMMEDIATE: a read-then-write transaction in WAL mode
 * that started as a reader fails at once with "database is locked" if another process committed
 * meanwhile; taking the write lock first makes it wait its turn instead); with expected_task_state/expected_vm_state the update only
 * happens if the row still has one of them (a compare-and-swap, as Nova's instance_update_and_get_original).
 */
export function saveInstance(
  db: Db,
  uuid: string,
  updates: Record<string, unknown>,
  expect: { expected_task_state?: unknown; expected_vm_state?: unknown } = {},
): Instance {
  return db
    .transaction(() => {
      const current = getInstance(db, uuid);
      if (expect.expected_task_state !== undefined) {
        const allowed = asList(expect.expected_task_state);
        if (!allowed.includes(current.task_state)) throw new UnexpectedTaskStateError(uuid, expect.expected_task_state, current.task_state);
      }
      if (expect.expected_vm_state !== undefined) {
        const allowed = asList(expect.expected_vm_state);
        if (!allowed.includes(current.vm_state))
          throw new UnexpectedTaskStateError(uuid, expect.expected_vm_state, current.vm_state, "vm_state");
      }
      const sets: string[] = [];
      const values: unknown[] = [];
      for (const [k, v] of Object.entries(updates)) {
        if (COLUMNS.has(k)) {
          sets.push(`${k} = ?`);
          values.push(toColumn(k, v));
        } else if (k === "flavor" && v && typeof v === "object") {
          const f = v as FlavorInfo;
          sets.push("flavor = ?", "vcpus = ?", "memory_mb = ?", "root_gb = ?", "ephemeral_gb = ?");
          values.push(JSON.stringify(f), f.vcpus, f.memory_mb, f.root_gb, f.ephemeral_gb);
        }
      }
      sets.push("updated_at = ?");
      values.push(laterThan(current.updated_at));
      db.prepare(`UPDATE instances SET ${sets.join(", ")} WHERE uuid = ? AND deleted = 0`).run(...values, uuid);
      if (updates.metadata && typeof updates.metadata === "object")
        writeKv(db, "instance_metadata", uuid, updates.metadata as Record<string, string>);
      if (updates.system_metadata && typeof updates.system_metadata === "object")
        writeKv(db, "instance_system_metadata", uuid, updates.system_metadata as Record<string, string>);
      return getInstance(db, uuid);
    })
    .immediate();
}

/**
 * Now, or one microsecond after `previous` if the clock has not moved past it: every save gives the row a
 * new updated_at, even two saves in the same millisecond from two processes (the list view's cache of
 * rendered servers is keyed on it).
 */
export function laterThan(previous: string | null): string {
  const now = utcNow();
  if (!previous || now > previous) return now;
  const micros = Date.parse(`${previous.slice(0, 19)}Z`) * 1000 + Number(previous.slice(20, 26).padEnd(6, "0")) + 1;
  const seconds = Math.floor(micros / 1e6);
  return `${new Date(seconds * 1000).toISOString().slice(0, 19)}.${String(micros - seconds * 1e6).padStart(6, "0")}`;
}

/** instance.destroy(): soft delete, as Nova (deleted = id, so the uuid stays unique and listable). */
export function destroyInstance(db: Db, uuid: string): void {
  const now = utcNow();
  db.prepare(
    "UPDATE instances SET deleted = id, deleted_at = ?, updated_at = ?, vm_state = 'deleted', task_state = NULL, terminated_at = COALESCE(terminated_at, ?) WHERE uuid = ? AND deleted = 0",
  ).run(now, now, now, uuid);
  db.prepare("DELETE FROM tags WHERE resource_id = ?").run(uuid);
}

export function instancesByHost(db: Db, host: string): Instance[] {
  const rows = db.prepare("SELECT * FROM instances WHERE host = ? AND deleted = 0 ORDER BY id").all(host) as Row[];
  return rows.map((r) => rowToInstance(db, r));
}

/** instance_fault_create; the latest fault is what `server show` reports under `fault`. */
export function createFault(db: Db, f: { uuid: string; code: number; message: string; details?: string; host?: string | null }): void {
  db.prepare("INSERT INTO instance_faults (instance_uuid, code, message, details, host, created_at) VALUES (?, ?, ?, ?, ?, ?)").run(
    f.uuid,
    f.code,
    f.message.slice(0, 255),
    f.details ?? "",
    f.host ?? null,
    utcNow(),
  );
}

export interface Fault {
  code: number;
  message: string;
  details: string;
  created: string;
}

/** The latest fault of each of many instances (list views), one query for the batch. */
export function latestFaults(db: Db, uuids: string[]): Map<string, Fault> {
  const out = new Map<string, Fault>();
  if (uuids.length === 0) return out;
  const rows = stmt(
    db,
    "SELECT instance_uuid, code, message, details, created_at FROM instance_faults WHERE id IN (SELECT MAX(id) FROM instance_faults WHERE instance_uuid IN (SELECT value FROM json_each(?)) GROUP BY instance_uuid)",
  ).all(JSON.stringify(uuids)) as Array<{ instance_uuid: string; code: number; message: string; details: string; created_at: string }>;
  for (const r of rows) out.set(r.instance_uuid, { code: r.code, message: r.message, details: r.details, created: r.created_at });
  return out;
}

export function latestFault(db: Db, uuid: string): Fault | undefined {
  const r = db
    .prepare("SELECT code, message, details, created_at FROM instance_faults WHERE instance_uuid = ? ORDER BY id DESC LIMIT 1")
    .get(uuid) as { code: number; message: string; details: string; created_at: string } | undefined;
  return r ? { code: r.code, message: r.message, details: r.details, created: r.created_at } : undefined;
}
