import { randomUUID } from "node:crypto";
import type { Db } from "../../common/db/database.js";
import { utcNow } from "../db/open.js";

export interface ServiceRecord {
  id: number;
  uuid: string;
  host: string;
  binary: string;
  topic: string | null;
  availability_zone: string | null;
  report_count: number;
  disabled: boolean;
  disabled_reason: string | null;
  forced_down: boolean;
  last_seen_up: string | null;
  created_at: string;
  updated_at: string | null;
}

type Row = Omit<ServiceRecord, "disabled" | "forced_down"> & { disabled: number; forced_down: number };
const toService = (r: Row): ServiceRecord => ({ ...r, disabled: r.disabled === 1, forced_down: r.forced_down === 1 });

export function serviceByHostAndBinary(db: Db, host: string, binary: string): ServiceRecord | null {
  const r = db.prepare("SELECT * FROM services WHERE host = ? AND binary = ? AND deleted = 0").get(host, binary) as Row | undefined;
  return r ? toService(r) : null;
}

export function serviceById(db: Db, id: number): ServiceRecord | null {
  const r = db.prepare("SELECT * FROM services WHERE id = ? AND deleted = 0").get(id) as Row | undefined;
  return r ? toService(r) : null;
}

export function serviceByUuid(db: Db, uuid: string): ServiceRecord | null {
  const r = db.prepare("SELECT * FROM services WHERE uuid = ? AND deleted = 0").get(uuid) as Row | undefined;
  return r ? toService(r) : null;
}

export function listServices(db: Db): ServiceRecord[] {
  return (db.prepare("SELECT * FROM services WHERE deleted = 0 ORDER BY id").all() as Row[]).map(toService);
}

export function createService(
  db: Db,
  s: { host: string; binary: string; topic?: string | null; availability_zone?: string | null },
): ServiceRecord {
  const existing = serviceByHostAndBinary(db, s.host, s.binary);
  if (existing) return existing;
  const now = utcNow();
  db.prepare(
    "INSERT INTO services (uuid, host, binary, topic, availability_zone, created_at, updated_at, last_seen_up) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
  ).run(randomUUID(), s.host, s.binary, s.topic ?? null, s.availability_zone ?? null, now, now, now);
  return serviceByHostAndBinary(db, s.host, s.binary) as ServiceRecord;
}

const WRITABLE = new Set(["report_count", "disabled", "disabled_reason", "forced_down", "availability_zone", "topic"]);

/** service.save(): a heartbeat (report_count) stamps updated_at/last_seen_up, as the DB servicegroup driver does. */
export function updateService(db: Db, id: number, updates: Record<string, unknown>): ServiceRecord | null {
  const sets: string[] = [];
  const values: unknown[] = [];
  for (const [k, v] of Object.entries(updates)) {
    if (!WRITABLE.has(k)) continue;
    sets.push(`${k} = ?`);
    values.push(typeof v === "boolean" ? (v ? 1 : 0) : (v ?? null));
  }
  const now = utcNow();
  sets.push("updated_at = ?");
  values.push(now);
  if ("report_count" in updates) {
    sets.push("last_seen_up = ?");
    values.push(now);
  }
  db.prepare(`UPDATE services SET ${sets.join(", ")} WHERE id = ? AND deleted = 0`).run(...values, id);
  return serviceById(db, id);
}

export function deleteService(db: Db, id: number): void {
  db.prepare("UPDATE services SET deleted = id WHERE id = ?").run(id);
}

/** When a service last reported (its last heartbeat, else its last update or creation), in ms since the epoch. */
export function lastSeenMs(s: Pick<ServiceRecord, "last_seen_up" | "updated_at" | "created_at">): number {
  const last = s.last_seen_up ?? s.updated_at ?? s.created_at;
  return Date.parse(`${last.slice(0, 23)}Z`);
}

/**
 * servicegroup's is_up: forced_down wins; otherwise the last heartbeat within service_down_time.
 * `seenMs` may be given when the caller keeps it (the scheduler checks a thousand hosts per request).
 */
export function serviceIsUp(
  s: Pick<ServiceRecord, "forced_down" | "last_seen_up" | "updated_at" | "created_at">,
  downTimeSeconds: number,
  now = Date.now(),
  seenMs = lastSeenMs(s),
): boolean {
  if (s.forced_down) return false;
  return now - seenMs <= downTimeSeconds * 1000;
}

export interface ComputeNode {
  id: number;
  uuid: string;
  service_id: number | null;
  host: string;
  hypervisor_hostname: string;
  hypervisor_type: string | null;
  hypervisor_version: number | null;
  vcpus: number;
  memory_mb: number;
  local_gb: number;
  vcpus_used: number;
  memory_mb_used: number;
  local_gb_used: number;
  running_vms: number;
  cpu_info: string | null;
  host_ip: string | null;
  created_at: string;
  updated_at: string | null;
}

const NODE_FIELDS = [
  "uuid",
  "hypervisor_type",
  "hypervisor_version",
  "vcpus",
  "memory_mb",
  "local_gb",
  "vcpus_used",
  "memory_mb_used",
  "local_gb_used",
  "running_vms",
  "cpu_info",
  "host_ip",
] as const;

export function computeNodes(db: Db): ComputeNode[] {
  return db.prepare("SELECT * FROM compute_nodes WHERE deleted = 0 ORDER BY id").all() as ComputeNode[];
}

export function computeNodeByHostAndNode(db: Db, host: string, node: string): ComputeNode | undefined {
  return db.prepare("SELECT * FROM compute_nodes WHERE host = ? AND hypervisor_hostname = ? AND deleted = 0").get(host, node) as
    | ComputeNode
    | undefined;
}

/** compute_node create-or-update, what the resource tracker saves after each update_available_resource. */
export function upsertComputeNode(db: Db, host: string, node: string, resources: Record<string, unknown>): ComputeNode {
  return db
    .transaction(() => {
      const existing = computeNodeByHostAndNode(db, host, node);
      const now = utcNow();
      const values: Record<string, unknown> = {};
      for (const f of NODE_FIELDS)
        if (f in resources)
          values[f] = typeof resources[f] === "object" && resources[f] !== null ? JSON.stringify(resources[f]) : resources[f];
      const service = serviceByHostAndBinary(db, host, "nova-compute");
      if (!existing) {
        values.uuid ??= randomUUID();
        const cols = { ...values, host, hypervisor_hostname: node, service_id: service?.id ?? null, created_at: now, updated_at: now };
        const names = Object.keys(cols);
        db.prepare(`INSERT INTO compute_nodes (${names.join(", ")}) VALUES (${names.map(() => "?").join(", ")})`).run(
          ...names.map((n) => (cols as Record<string, unknown>)[n] ?? null),
        );
      } else {
        delete values.uuid;
        const names = Object.keys(values);
        db.prepare(
          `UPDATE compute_nodes SET ${[...names.map((n) => `${n} = ?`), "updated_at = ?", "service_id = COALESCE(service_id, ?)"].join(", ")} WHERE id = ?`,
        ).run(...names.map((n) => values[n] ?? null), now, service?.id ?? null, existing.id);
      }
      return computeNodeByHostAndNode(db, host, node) as ComputeNode;
    })
    .immediate();
}
