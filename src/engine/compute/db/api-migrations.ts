import type { Migration } from "../../common/db/database.js";

/**
 * The nova_api database (Nova's API database): what is global to the deployment — flavors, key pairs,
 * quotas, server groups, aggregates, the cells v2 mappings, and the build requests and request specs of
 * instances that have not reached a cell yet. Instances themselves live in the cell databases.
 */
const INITIAL = `
CREATE TABLE cell_mappings (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  uuid TEXT NOT NULL UNIQUE,
  name TEXT,
  transport_url TEXT NOT NULL,
  database_connection TEXT NOT NULL,
  disabled INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  updated_at TEXT
);
CREATE TABLE host_mappings (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  cell_id INTEGER NOT NULL REFERENCES cell_mappings(id),
  host TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL,
  updated_at TEXT
);
CREATE TABLE instance_mappings (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  instance_uuid TEXT NOT NULL UNIQUE,
  cell_id INTEGER REFERENCES cell_mappings(id),
  project_id TEXT NOT NULL,
  user_id TEXT,
  queued_for_delete INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  updated_at TEXT
);
CREATE INDEX ix_instance_mappings_project ON instance_mappings(project_id);
CREATE TABLE flavors (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  flavorid TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL UNIQUE,
  memory_mb INTEGER NOT NULL,
  vcpus INTEGER NOT NULL,
  root_gb INTEGER NOT NULL DEFAULT 0,
  ephemeral_gb INTEGER NOT NULL DEFAULT 0,
  swap INTEGER NOT NULL DEFAULT 0,
  rxtx_factor REAL NOT NULL DEFAULT 1.0,
  vcpu_weight INTEGER,
  disabled INTEGER NOT NULL DEFAULT 0,
  is_public INTEGER NOT NULL DEFAULT 1,
  description TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT
);
CREATE TABLE flavor_extra_specs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  flavor_id INTEGER NOT NULL REFERENCES flavors(id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  value TEXT,
  created_at TEXT NOT NULL,
  UNIQUE (flavor_id, key)
);
CREATE TABLE flavor_projects (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  flavor_id INTEGER NOT NULL REFERENCES flavors(id) ON DELETE CASCADE,
  project_id TEXT NOT NULL,
  created_at TEXT NOT NULL,
  UNIQUE (flavor_id, project_id)
);
CREATE TABLE key_pairs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  user_id TEXT NOT NULL,
  fingerprint TEXT,
  public_key TEXT,
  type TEXT NOT NULL DEFAULT 'ssh',
  created_at TEXT NOT NULL,
  updated_at TEXT,
  UNIQUE (user_id, name)
);
CREATE TABLE request_specs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  instance_uuid TEXT NOT NULL UNIQUE,
  spec TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT
);
CREATE TABLE build_requests (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  instance_uuid TEXT NOT NULL UNIQUE,
  project_id TEXT NOT NULL,
  user_id TEXT,
  instance TEXT NOT NULL,
  tags TEXT,
  block_device_mappings TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT
);
CREATE INDEX ix_build_requests_project ON build_requests(project_id);
CREATE TABLE quotas (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  project_id TEXT NOT NULL,
  resource TEXT NOT NULL,
  hard_limit INTEGER,
  created_at TEXT NOT NULL,
  updated_at TEXT,
  UNIQUE (project_id, resource)
);
CREATE TABLE instance_groups (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  uuid TEXT NOT NULL UNIQUE,
  name TEXT,
  user_id TEXT,
  project_id TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT
);
CREATE TABLE instance_group_policy (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  policy TEXT NOT NULL,
  rules TEXT,
  group_id INTEGER NOT NULL REFERENCES instance_groups(id) ON DELETE CASCADE
);
CREATE TABLE instance_group_member (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  instance_uuid TEXT NOT NULL,
  group_id INTEGER NOT NULL REFERENCES instance_groups(id) ON DELETE CASCADE,
  created_at TEXT NOT NULL,
  UNIQUE (group_id, instance_uuid)
);
CREATE TABLE aggregates (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  uuid TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL,
  updated_at TEXT
);
CREATE TABLE aggregate_hosts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  host TEXT NOT NULL,
  aggregate_id INTEGER NOT NULL REFERENCES aggregates(id) ON DELETE CASCADE,
  UNIQUE (host, aggregate_id)
);
CREATE TABLE aggregate_metadata (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  aggregate_id INTEGER NOT NULL REFERENCES aggregates(id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  UNIQUE (aggregate_id, key)
);
`;

/**
 * pocketstack's own (not in Nova's schema): a counter that moves with every change to host mappings and
 * aggregates, so the scheduler keeps them in memory and reads them again only when it moved (Nova's
 * scheduler keeps aggregates in memory too, updated by RPC from the API).
 */
const HOST_FACTS_GENERATION = `
CREATE TABLE host_facts_generation (id INTEGER PRIMARY KEY CHECK (id = 1), generation INTEGER NOT NULL);
INSERT INTO host_facts_generation (id, generation) VALUES (1, 0);
${["host_mappings", "aggregates", "aggregate_hosts", "aggregate_metadata"]
  .flatMap((table) =>
    ["INSERT", "UPDATE", "DELETE"].map(
      (op) =>
        `CREATE TRIGGER ${table}_${op.toLowerCase()}_generation AFTER ${op} ON ${table} BEGIN UPDATE host_facts_generation SET generation = generation + 1 WHERE id = 1; END;`,
    ),
  )
  .join("\n")}
`;

export const NOVA_API_MIGRATIONS: Migration[] = [
  { version: 1, description: "initial nova_api schema", up: INITIAL },
  { version: 2, description: "host_facts_generation: moves with host mappings and aggregates", up: HOST_FACTS_GENERATION },
];
