import type { Db } from "../../common/db/database.js";
import { stmt } from "../../common/db/statements.js";

/** Usage of every class the provider has inventory of (0 when nothing is allocated). */
export function providerUsages(db: Db, rpId: number): Record<string, number> {
  const rows = stmt(
    db,
    `SELECT rc.name AS rc, COALESCE((SELECT SUM(a.used) FROM allocations a WHERE a.resource_provider_id = i.resource_provider_id
         AND a.resource_class_id = i.resource_class_id), 0) AS used
       FROM inventories i JOIN resource_classes rc ON rc.id = i.resource_class_id WHERE i.resource_provider_id = ? ORDER BY rc.id`,
  ).all(rpId) as Array<{ rc: string; used: number }>;
  return Object.fromEntries(rows.map((r) => [r.rc, r.used]));
}

export interface UsageRow {
  consumer_type: string | null;
  resource_class: string;
  used: number;
  consumers: number;
}

/** GET /usages: what a project (optionally one user of it) consumes, per consumer type and class. */
export function projectUsages(db: Db, projectId: string, userId: string | undefined): UsageRow[] {
  const params: string[] = [projectId];
  let where = "p.external_id = ?";
  if (userId !== undefined) {
    where += " AND u.external_id = ?";
    params.push(userId);
  }
  return stmt(
    db,
    `SELECT ct.name AS consumer_type, rc.name AS resource_class, SUM(a.used) AS used, COUNT(DISTINCT c.id) AS consumers
       FROM allocations a JOIN consumers c ON c.uuid = a.consumer_id JOIN projects p ON p.id = c.project_id
       JOIN users u ON u.id = c.user_id JOIN resource_classes rc ON rc.id = a.resource_class_id
       LEFT JOIN consumer_types ct ON ct.id = c.consumer_type_id
       WHERE ${where} GROUP BY ct.name, rc.name ORDER BY rc.id`,
  ).all(...params) as UsageRow[];
}

/** Consumers per type for a project (consumer_count counts consumers, not allocations). */
export function projectConsumerCounts(db: Db, projectId: string, userId: string | undefined): Map<string | null, number> {
  const params: string[] = [projectId];
  let where = "p.external_id = ?";
  if (userId !== undefined) {
    where += " AND u.external_id = ?";
    params.push(userId);
  }
  const rows = stmt(
    db,
    `SELECT ct.name AS consumer_type, COUNT(DISTINCT c.id) AS n FROM consumers c JOIN projects p ON p.id = c.project_id
       JOIN users u ON u.id = c.user_id LEFT JOIN consumer_types ct ON ct.id = c.consumer_type_id
       WHERE ${where} AND EXISTS (SELECT 1 FROM allocations a WHERE a.consumer_id = c.uuid) GROUP BY ct.name`,
  ).all(...params) as Array<{ consumer_type: string | null; n: number }>;
  return new Map(rows.map((r) => [r.consumer_type, r.n]));
}
