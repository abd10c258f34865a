import type { Config } from "../../common/config/config.js";
import type { Db } from "../../common/db/database.js";
import type { CellMappings } from "../cells/mappings.js";
import { utcNow } from "../db/open.js";
import type { FlavorInfo } from "./instance.js";

/** The resources Nova's DbQuotaDriver counts, with the [quota] option that holds each default. */
export const QUOTA_RESOURCES = [
  "instances",
  "cores",
  "ram",
  "metadata_items",
  "injected_files",
  "injected_file_content_bytes",
  "injected_file_path_bytes",
  "key_pairs",
  "server_groups",
  "server_group_members",
] as const;
export type QuotaResource = (typeof QUOTA_RESOURCES)[number];

/** Nova's TooManyInstances / OverQuota, answered as 403 by the API. */
export class OverQuota extends Error {
  override name = "OverQuota";
}

export function defaultLimits(config: Config): Record<QuotaResource, number> {
  return Object.fromEntries(QUOTA_RESOURCES.map((r) => [r, config.int("quota", r)])) as Record<QuotaResource, number>;
}

/** A project's limits: [quota] defaults, overridden by os-quota-sets rows. -1 means unlimited. */
export function projectLimits(db: Db, config: Config, projectId: string): Record<QuotaResource, number> {
  const limits = defaultLimits(config);
  const rows = db.prepare("SELECT resource, hard_limit FROM quotas WHERE project_id = ?").all(projectId) as Array<{
    resource: string;
    hard_limit: number;
  }>;
  for (const r of rows) if ((QUOTA_RESOURCES as readonly string[]).includes(r.resource)) limits[r.resource as QuotaResource] = r.hard_limit;
  return limits;
}

export function setProjectLimits(db: Db, projectId: string, values: Partial<Record<QuotaResource, number>>): void {
  const up = db.prepare(
    "INSERT INTO quotas (project_id, resource, hard_limit, created_at) VALUES (?, ?, ?, ?) ON CONFLICT(project_id, resource) DO UPDATE SET hard_limit = excluded.hard_limit, updated_at = excluded.created_at",
  );
  db.transaction(() => {
    for (const [k, v] of Object.entries(values)) up.run(projectId, k, v, utcNow());
  })();
}

export function deleteProjectLimits(db: Db, projectId: string): void {
  db.prepare("DELETE FROM quotas WHERE project_id = ?").run(projectId);
}

export interface InstanceUsage {
  instances: number;
  cores: number;
  ram: number;
}

/**
 * Counted usage (Nova's quota counting, no reservations): instances, cores and RAM of the project's
 * live instances in every cell (cell0 included, as Nova counts ERROR instances there) plus the build
 * requests not yet in a cell.
 */
export function instanceUsage(cells: CellMappings, projectId: string): InstanceUsage {
  const usage: InstanceUsage = { instances: 0, cores: 0, ram: 0 };
  for (const cell of cells.list()) {
    const r = cells
      .db(cell)
      .prepare(
        "SELECT COUNT(*) AS n, COALESCE(SUM(vcpus), 0) AS c, COALESCE(SUM(memory_mb), 0) AS m FROM instances WHERE project_id = ? AND deleted = 0",
      )
      .get(projectId) as { n: number; c: number; m: number };
    usage.instances += r.n;
    usage.cores += r.c;
    usage.ram += r.m;
  }
  const brs = cells.apiDb.prepare("SELECT instance FROM build_requests WHERE project_id = ?").all(projectId) as Array<{ instance: string }>;
  for (const b of brs) {
    const f = (JSON.parse(b.instance) as { flavor: FlavorInfo }).flavor;
    usage.instances += 1;
    usage.cores += f.vcpus;
    usage.ram += f.memory_mb;
  }
  return usage;
}

/** Check a request for `count` instances of a flavor against the project's limits (Nova's _check_num_instances_quota). */
export function checkInstanceQuota(limits: Record<QuotaResource, number>, usage: InstanceUsage, flavor: FlavorInfo, count: number): void {
  const wanted = { instances: count, cores: flavor.vcpus * count, ram: flavor.memory_mb * count };
  const overs = (["instances", "cores", "ram"] as const).filter((r) => limits[r] >= 0 && usage[r] + wanted[r] > limits[r]);
  if (overs.length === 0) return;
  const list = overs.join(", ");
  throw new OverQuota(
    `Quota exceeded for ${list}: Requested ${overs.map((r) => wanted[r]).join(", ")}, but already used ${overs.map((r) => usage[r]).join(", ")} of ${overs
      .map((r) => limits[r])
      .join(", ")} ${list}`,
  );
}
