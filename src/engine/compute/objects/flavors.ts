import type { Db } from "../../common/db/database.js";
import { utcNow } from "../db/open.js";
import type { FlavorInfo } from "./instance.js";

export interface Flavor {
  id: number;
  flavorid: string;
  name: string;
  memory_mb: number;
  vcpus: number;
  root_gb: number;
  ephemeral_gb: number;
  swap: number;
  rxtx_factor: number;
  disabled: boolean;
  is_public: boolean;
  description: string | null;
  extra_specs: Record<string, string>;
  created_at: string;
}

type Row = Omit<Flavor, "disabled" | "is_public" | "extra_specs"> & { disabled: number; is_public: number };

export class FlavorExists extends Error {
  override name = "FlavorExists";
}

function load(db: Db, r: Row): Flavor {
  const specs = db.prepare("SELECT key, value FROM flavor_extra_specs WHERE flavor_id = ? ORDER BY key").all(r.id) as Array<{
    key: string;
    value: string;
  }>;
  return {
    ...r,
    disabled: r.disabled === 1,
    is_public: r.is_public === 1,
    extra_specs: Object.fromEntries(specs.map((s) => [s.key, s.value])),
  };
}

export function flavorByFlavorId(db: Db, flavorid: string): Flavor | undefined {
  const r = db.prepare("SELECT * FROM flavors WHERE flavorid = ?").get(flavorid) as Row | undefined;
  return r ? load(db, r) : undefined;
}

export function flavorByName(db: Db, name: string): Flavor | undefined {
  const r = db.prepare("SELECT * FROM flavors WHERE name = ?").get(name) as Row | undefined;
  return r ? load(db, r) : undefined;
}

export function flavorProjects(db: Db, flavorDbId: number): string[] {
  return (
    db.prepare("SELECT project_id FROM flavor_projects WHERE flavor_id = ? ORDER BY id").all(flavorDbId) as Array<{ project_id: string }>
  ).map((r) => r.project_id);
}

/** Whether a project may use (see) a flavor: public, or private with access granted; admins see all. */
export function flavorVisible(db: Db, f: Flavor, projectId: string | undefined, isAdmin: boolean): boolean {
  return isAdmin || f.is_public || (projectId !== undefined && flavorProjects(db, f.id).includes(projectId));
}

export function listFlavors(db: Db): Flavor[] {
  return (db.prepare("SELECT * FROM flavors ORDER BY flavorid").all() as Row[]).map((r) => load(db, r));
}

export function createFlavor(
  db: Db,
  f: {
    flavorid: string;
    name: string;
    memory_mb: number;
    vcpus: number;
    root_gb: number;
    ephemeral_gb?: number;
    swap?: number;
    rxtx_factor?: number;
    is_public?: boolean;
    description?: string | null;
  },
): Flavor {
  if (flavorByName(db, f.name)) throw new FlavorExists(`Flavor with name ${f.name} already exists.`);
  if (flavorByFlavorId(db, f.flavorid)) throw new FlavorExists(`Flavor with ID ${f.flavorid} already exists.`);
  db.prepare(
    "INSERT INTO flavors (flavorid, name, memory_mb, vcpus, root_gb, ephemeral_gb, swap, rxtx_factor, is_public, description, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
  ).run(
    f.flavorid,
    f.name,
    f.memory_mb,
    f.vcpus,
    f.root_gb,
    f.ephemeral_gb ?? 0,
    f.swap ?? 0,
    f.rxtx_factor ?? 1.0,
    f.is_public === false ? 0 : 1,
    f.description ?? null,
    utcNow(),
  );
  return flavorByFlavorId(db, f.flavorid) as Flavor;
}

export function deleteFlavor(db: Db, f: Flavor): void {
  db.prepare("DELETE FROM flavors WHERE id = ?").run(f.id);
}

export function setExtraSpecs(db: Db, f: Flavor, specs: Record<string, string>): void {
  const up = db.prepare(
    "INSERT INTO flavor_extra_specs (flavor_id, key, value, created_at) VALUES (?, ?, ?, ?) ON CONFLICT(flavor_id, key) DO UPDATE SET value = excluded.value",
  );
  db.transaction(() => {
    for (const [k, v] of Object.entries(specs)) up.run(f.id, k, String(v), utcNow());
  })();
}

export function deleteExtraSpec(db: Db, f: Flavor, key: string): boolean {
  return db.prepare("DELETE FROM flavor_extra_specs WHERE flavor_id = ? AND key = ?").run(f.id, key).changes > 0;
}

export function addFlavorAccess(db: Db, f: Flavor, projectId: string): boolean {
  return (
    db.prepare("INSERT OR IGNORE INTO flavor_projects (flavor_id, project_id, created_at) VALUES (?, ?, ?)").run(f.id, projectId, utcNow())
      .changes > 0
  );
}

export function removeFlavorAccess(db: Db, f: Flavor, projectId: string): boolean {
  return db.prepare("DELETE FROM flavor_projects WHERE flavor_id = ? AND project_id = ?").run(f.id, projectId).changes > 0;
}

/** The flavor as an instance carries it (instance.flavor). */
export function flavorInfo(f: Flavor): FlavorInfo {
  return {
    flavorid: f.flavorid,
    name: f.name,
    vcpus: f.vcpus,
    memory_mb: f.memory_mb,
    root_gb: f.root_gb,
    ephemeral_gb: f.ephemeral_gb,
    swap: f.swap,
    extra_specs: f.extra_specs,
    description: f.description,
  };
}

/** DevStack's default public flavors (created by `os cloud up`, as devstack's lib/nova does). */
export const DEFAULT_FLAVORS = [
  { flavorid: "1", name: "m1.tiny", vcpus: 1, memory_mb: 512, root_gb: 1 },
  { flavorid: "2", name: "m1.small", vcpus: 1, memory_mb: 2048, root_gb: 20 },
  { flavorid: "3", name: "m1.medium", vcpus: 2, memory_mb: 4096, root_gb: 40 },
  { flavorid: "4", name: "m1.large", vcpus: 4, memory_mb: 8192, root_gb: 80 },
  { flavorid: "5", name: "m1.xlarge", vcpus: 8, memory_mb: 16384, root_gb: 160 },
  { flavorid: "c1", name: "cirros256", vcpus: 1, memory_mb: 256, root_gb: 1 },
];
