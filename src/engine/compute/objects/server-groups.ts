import { randomUUID } from "node:crypto";
import type { Db } from "../../common/db/database.js";
import { utcNow } from "../db/open.js";

export interface ServerGroup {
  id: number;
  uuid: string;
  name: string;
  user_id: string;
  project_id: string;
  policy: string;
  rules: Record<string, unknown>;
  members: string[];
  created_at: string;
}

function load(db: Db, r: { id: number; uuid: string; name: string; user_id: string; project_id: string; created_at: string }): ServerGroup {
  const p = db.prepare("SELECT policy, rules FROM instance_group_policy WHERE group_id = ?").get(r.id) as
    | { policy: string; rules: string | null }
    | undefined;
  const members = (
    db.prepare("SELECT instance_uuid FROM instance_group_member WHERE group_id = ? ORDER BY id").all(r.id) as Array<{
      instance_uuid: string;
    }>
  ).map((m) => m.instance_uuid);
  return { ...r, policy: p?.policy ?? "", rules: p?.rules ? JSON.parse(p.rules) : {}, members };
}

export function createServerGroup(
  db: Db,
  g: { name: string; user_id: string; project_id: string; policy: string; rules?: Record<string, unknown> },
): ServerGroup {
  const uuid = randomUUID();
  return db.transaction(() => {
    const res = db
      .prepare("INSERT INTO instance_groups (uuid, name, user_id, project_id, created_at) VALUES (?, ?, ?, ?, ?)")
      .run(uuid, g.name, g.user_id, g.project_id, utcNow());
    db.prepare("INSERT INTO instance_group_policy (policy, rules, group_id) VALUES (?, ?, ?)").run(
      g.policy,
      JSON.stringify(g.rules ?? {}),
      res.lastInsertRowid,
    );
    return getServerGroup(db, uuid) as ServerGroup;
  })();
}

export function getServerGroup(db: Db, uuid: string): ServerGroup | undefined {
  const r = db.prepare("SELECT * FROM instance_groups WHERE uuid = ?").get(uuid) as Parameters<typeof load>[1] | undefined;
  return r ? load(db, r) : undefined;
}

export function listServerGroups(db: Db, projectId?: string): ServerGroup[] {
  const rows = (
    projectId === undefined
      ? db.prepare("SELECT * FROM instance_groups ORDER BY id").all()
      : db.prepare("SELECT * FROM instance_groups WHERE project_id = ? ORDER BY id").all(projectId)
  ) as Array<Parameters<typeof load>[1]>;
  return rows.map((r) => load(db, r));
}

export function deleteServerGroup(db: Db, uuid: string): boolean {
  return db.prepare("DELETE FROM instance_groups WHERE uuid = ?").run(uuid).changes > 0;
}

export function addGroupMember(db: Db, groupUuid: string, instanceUuid: string): void {
  const g = db.prepare("SELECT id FROM instance_groups WHERE uuid = ?").get(groupUuid) as { id: number } | undefined;
  if (g)
    db.prepare("INSERT OR IGNORE INTO instance_group_member (instance_uuid, group_id, created_at) VALUES (?, ?, ?)").run(
      instanceUuid,
      g.id,
      utcNow(),
    );
}

export function removeGroupMember(db: Db, instanceUuid: string): void {
  db.prepare("DELETE FROM instance_group_member WHERE instance_uuid = ?").run(instanceUuid);
}

export function groupOfInstance(db: Db, instanceUuid: string): ServerGroup | undefined {
  const r = db
    .prepare("SELECT g.uuid FROM instance_group_member m JOIN instance_groups g ON g.id = m.group_id WHERE m.instance_uuid = ?")
    .get(instanceUuid) as { uuid: string } | undefined;
  return r ? getServerGroup(db, r.uuid) : undefined;
}

/** Aggregate metadata of a host (for AggregateInstanceExtraSpecsFilter and availability zones). */
export function hostAggregateMetadata(db: Db, host: string): Array<Record<string, string>> {
  const aggs = db
    .prepare("SELECT a.id FROM aggregates a JOIN aggregate_hosts h ON h.aggregate_id = a.id WHERE h.host = ?")
    .all(host) as Array<{ id: number }>;
  return aggs.map(
    (a) =>
      Object.fromEntries(
        (
          db.prepare("SELECT key, value FROM aggregate_metadata WHERE aggregate_id = ?").all(a.id) as Array<{ key: string; value: string }>
        ).map((m) => [m.key, m.value]),
      ) as Record<string, string>,
  );
}

/** A host's availability zone: its aggregates' availability_zone metadata, else the default zone. */
export function hostAvailabilityZone(db: Db, host: string, defaultZone: string): string {
  for (const md of hostAggregateMetadata(db, host)) if (md.availability_zone) return md.availability_zone;
  return defaultZone;
}
