import type { Db } from "../../common/db/database.js";
import { utcNow } from "../db/open.js";
import type { Instance } from "./instance.js";

/**
 * The RequestSpec: what the scheduler needs to place one instance (flavor, image, AZ, group, hints,
 * the retry record of a reschedule). Stored in nova_api.request_specs as JSON, as Nova does.
 */
export interface RequestSpec {
  instance_uuid: string;
  project_id: string;
  user_id: string;
  flavor: Instance["flavor"];
  image: ImageMeta;
  availability_zone: string | null;
  num_instances: number;
  scheduler_hints: Record<string, unknown>;
  instance_group: { uuid: string; policy: string; rules: Record<string, unknown>; members: string[]; hosts: string[] } | null;
  ignore_hosts: string[];
  force_hosts: string[];
  retry: { num_attempts: number; hosts: string[] } | null;
  requested_destination: { host?: string; node?: string; cell_uuid?: string } | null;
}

/** Image metadata as Nova's ImageMeta (from Glance's image record). */
export interface ImageMeta {
  id: string;
  name?: string;
  status?: string;
  min_ram: number;
  min_disk: number;
  size?: number | null;
  disk_format?: string | null;
  container_format?: string | null;
  properties: Record<string, string>;
}

export function saveRequestSpec(db: Db, spec: RequestSpec): void {
  db.prepare(
    "INSERT INTO request_specs (instance_uuid, spec, created_at) VALUES (?, ?, ?) ON CONFLICT(instance_uuid) DO UPDATE SET spec = excluded.spec, updated_at = excluded.created_at",
  ).run(spec.instance_uuid, JSON.stringify(spec), utcNow());
}

export function getRequestSpec(db: Db, uuid: string): RequestSpec | undefined {
  const r = db.prepare("SELECT spec FROM request_specs WHERE instance_uuid = ?").get(uuid) as { spec: string } | undefined;
  return r ? (JSON.parse(r.spec) as RequestSpec) : undefined;
}

export function deleteRequestSpec(db: Db, uuid: string): void {
  db.prepare("DELETE FROM request_specs WHERE instance_uuid = ?").run(uuid);
}

/** BuildRequest: the instance as the API shows it while it is not yet in a cell. */
export function createBuildRequest(db: Db, inst: Instance, tags: string[]): void {
  db.prepare("INSERT INTO build_requests (instance_uuid, project_id, user_id, instance, tags, created_at) VALUES (?, ?, ?, ?, ?, ?)").run(
    inst.uuid,
    inst.project_id,
    inst.user_id,
    JSON.stringify(inst),
    JSON.stringify(tags),
    utcNow(),
  );
}

export function getBuildRequest(db: Db, uuid: string): { instance: Instance; tags: string[] } | undefined {
  const r = db.prepare("SELECT instance, tags FROM build_requests WHERE instance_uuid = ?").get(uuid) as
    | { instance: string; tags: string }
    | undefined;
  return r ? { instance: JSON.parse(r.instance) as Instance, tags: JSON.parse(r.tags ?? "[]") as string[] } : undefined;
}

export function listBuildRequests(db: Db, projectId?: string): Array<{ instance: Instance; tags: string[] }> {
  const rows = (
    projectId === undefined
      ? db.prepare("SELECT instance, tags FROM build_requests ORDER BY id").all()
      : db.prepare("SELECT instance, tags FROM build_requests WHERE project_id = ? ORDER BY id").all(projectId)
  ) as Array<{ instance: string; tags: string }>;
  return rows.map((r) => ({ instance: JSON.parse(r.instance) as Instance, tags: JSON.parse(r.tags ?? "[]") as string[] }));
}

/** True if this call removed it (a concurrent delete of a build request wins exactly once). */
export function deleteBuildRequest(db: Db, uuid: string): boolean {
  return db.prepare("DELETE FROM build_requests WHERE instance_uuid = ?").run(uuid).changes > 0;
}

export function createInstanceMapping(db: Db, uuid: string, projectId: string, userId: string): void {
  db.prepare("INSERT INTO instance_mappings (instance_uuid, project_id, user_id, created_at) VALUES (?, ?, ?, ?)").run(
    uuid,
    projectId,
    userId,
    utcNow(),
  );
}

export function deleteInstanceMapping(db: Db, uuid: string): void {
  db.prepare("DELETE FROM instance_mappings WHERE instance_uuid = ?").run(uuid);
}
