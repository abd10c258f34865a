import type { Db, Migration } from "../../common/db/database.js";
import { STANDARD_RESOURCE_CLASSES } from "../standard-resource-classes.js";
import { STANDARD_TRAITS } from "../standard-traits.js";

/**
 * The placement database, table for table as OpenStack lays it out (resource_providers, inventories,
 * allocations, consumers with projects/users, traits, placement_aggregates, consumer_types).
 * Standard resource classes and traits are synced into their tables, as placement does at start-up.
 */
const INITIAL = `
CREATE TABLE resource_classes (
  id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL, updated_at TEXT
);
CREATE TABLE resource_providers (
  id INTEGER PRIMARY KEY AUTOINCREMENT, uuid TEXT NOT NULL UNIQUE, name TEXT NOT NULL UNIQUE,
  generation INTEGER NOT NULL DEFAULT 0,
  root_provider_id INTEGER REFERENCES resource_providers(id),
  parent_provider_id INTEGER REFERENCES resource_providers(id),
  created_at TEXT NOT NULL, updated_at TEXT
);
CREATE INDEX resource_providers_root ON resource_providers(root_provider_id);
CREATE INDEX resource_providers_parent ON resource_providers(parent_provider_id);
CREATE TABLE inventories (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  resource_provider_id INTEGER NOT NULL REFERENCES resource_providers(id),
  resource_class_id INTEGER NOT NULL REFERENCES resource_classes(id),
  total INTEGER NOT NULL, reserved INTEGER NOT NULL, min_unit INTEGER NOT NULL, max_unit INTEGER NOT NULL,
  step_size INTEGER NOT NULL, allocation_ratio REAL NOT NULL,
  created_at TEXT NOT NULL, updated_at TEXT,
  UNIQUE (resource_provider_id, resource_class_id)
);
CREATE TABLE projects (id INTEGER PRIMARY KEY AUTOINCREMENT, external_id TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL);
CREATE TABLE users (id INTEGER PRIMARY KEY AUTOINCREMENT, external_id TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL);
CREATE TABLE consumer_types (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL);
CREATE TABLE consumers (
  id INTEGER PRIMARY KEY AUTOINCREMENT, uuid TEXT NOT NULL UNIQUE,
  project_id INTEGER NOT NULL REFERENCES projects(id), user_id INTEGER NOT NULL REFERENCES users(id),
  generation INTEGER NOT NULL DEFAULT 0, consumer_type_id INTEGER REFERENCES consumer_types(id),
  created_at TEXT NOT NULL, updated_at TEXT
);
CREATE INDEX consumers_project_user ON consumers(project_id, user_id);
CREATE TABLE allocations (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  resource_provider_id INTEGER NOT NULL REFERENCES resource_providers(id),
  consumer_id TEXT NOT NULL,
  resource_class_id INTEGER NOT NULL REFERENCES resource_classes(id),
  used INTEGER NOT NULL,
  created_at TEXT NOT NULL, updated_at TEXT
);
CREATE INDEX allocations_consumer ON allocations(consumer_id);
CREATE INDEX allocations_rp_rc ON allocations(resource_provider_id, resource_class_id);
CREATE TABLE traits (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL, updated_at TEXT);
CREATE TABLE resource_provider_traits (
  trait_id INTEGER NOT NULL REFERENCES traits(id),
  resource_provider_id INTEGER NOT NULL REFERENCES resource_providers(id),
  created_at TEXT NOT NULL,
  PRIMARY KEY (trait_id, resource_provider_id)
);
CREATE INDEX rpt_rp ON resource_provider_traits(resource_provider_id);
CREATE TABLE placement_aggregates (id INTEGER PRIMARY KEY AUTOINCREMENT, uuid TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL);
CREATE TABLE resource_provider_aggregates (
  resource_provider_id INTEGER NOT NULL REFERENCES resource_providers(id),
  aggregate_id INTEGER NOT NULL REFERENCES placement_aggregates(id),
  created_at TEXT NOT NULL,
  PRIMARY KEY (resource_provider_id, aggregate_id)
);
CREATE INDEX rpa_agg ON resource_provider_aggregates(aggregate_id);
`;

/**
 * A counter that moves whenever anything but usage changes: providers (not their generation),
 * inventories, traits, aggregates, class names. Triggers keep it in the writing transaction itself, so
 * a reader that sees the same value knows only allocations (and generations) can differ from what it
 * read before — and refreshes just those (store/snapshot.ts).
 */
const STRUCTURE_VERSION = `
CREATE TABLE placement_structure_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL);
INSERT INTO placement_structure_version (id, version) VALUES (1, 0);
${[
  ["inventories", "INSERT"],
  ["inventories", "UPDATE"],
  ["inventories", "DELETE"],
  ["resource_provider_traits", "INSERT"],
  ["resource_provider_traits", "DELETE"],
  ["resource_provider_aggregates", "INSERT"],
  ["resource_provider_aggregates", "DELETE"],
  ["resource_providers", "INSERT"],
  ["resource_providers", "DELETE"],
  ["resource_providers", "UPDATE OF uuid, name, parent_provider_id, root_provider_id"],
  ["resource_classes", "INSERT"],
  ["resource_classes", "UPDATE"],
  ["resource_classes", "DELETE"],
]
  .map(
    ([table, event], i) =>
      `CREATE TRIGGER structure_${i}_${table} AFTER ${event} ON ${table} BEGIN UPDATE placement_structure_version SET version = version + 1 WHERE id = 1; END;`,
  )
  .join("\n")}
`;

/**
 * Which providers' usage changed, in commit order: one row per provider, its `seq` the latest change.
 * SQLite commits one writer at a time, so every change committed after a reader's last `seq` has a
 * larger one; the snapshot re-reads the usage of just those providers (a claim: one of a thousand).
 */
const USAGE_CHANGES = `
CREATE TABLE usage_changes (resource_provider_id INTEGER PRIMARY KEY, seq INTEGER NOT NULL);
CREATE INDEX usage_changes_seq ON usage_changes(seq);
${[
  ["allocations", "INSERT", "NEW.resource_provider_id"],
  ["allocations", "UPDATE", "NEW.resource_provider_id"],
  ["allocations", "DELETE", "OLD.resource_provider_id"],
  ["resource_providers", "UPDATE OF generation, updated_at", "NEW.id"],
]
  .map(
    ([table, event, id], i) =>
      `CREATE TRIGGER usage_${i}_${table} AFTER ${event} ON ${table} BEGIN INSERT OR REPLACE INTO usage_changes (resource_provider_id, seq) VALUES (${id}, (SELECT COALESCE(MAX(seq), 0) + 1 FROM usage_changes)); END;`,
  )
  .join("\n")}
`;

function syncStandards(db: Db): void {
  const now = new Date().toISOString();
  const rc = db.prepare("INSERT OR IGNORE INTO resource_classes (id, name, created_at) VALUES (?, ?, ?)");
  for (const [id, name] of STANDARD_RESOURCE_CLASSES.entries()) rc.run(id, name, now);
  const trait = db.prepare("INSERT OR IGNORE INTO traits (name, created_at) VALUES (?, ?)");
  for (const name of STANDARD_TRAITS) trait.run(name, now);
}

export const PLACEMENT_MIGRATIONS: Migration[] = [
  { version: 1, description: "placement initial schema", up: INITIAL },
  { version: 2, description: "sync standard resource classes and traits", up: syncStandards },
  { version: 3, description: "structure version for the candidate snapshot", up: STRUCTURE_VERSION },
  { version: 4, description: "usage changes for the candidate snapshot", up: USAGE_CHANGES },
];

/** Run at every start too: a newer build may know more standard classes/traits than the stored ones. */
export { syncStandards };
