import type { Migration } from "../../common/db/database.js";

/**
 * A cell database (nova_cell0, nova): instances and everything that hangs off them, plus the services
 * and compute nodes of the hosts in the cell. Instances are soft-deleted (`deleted = id`), as Nova does,
 * so a deleted server can still be listed with `deleted=True` by an admin.
 */
const INITIAL = `
CREATE TABLE instances (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  uuid TEXT NOT NULL UNIQUE,
  display_name TEXT,
  display_description TEXT,
  hostname TEXT,
  project_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  image_ref TEXT,
  flavor TEXT NOT NULL,
  vcpus INTEGER NOT NULL DEFAULT 0,
  memory_mb INTEGER NOT NULL DEFAULT 0,
  root_gb INTEGER NOT NULL DEFAULT 0,
  ephemeral_gb INTEGER NOT NULL DEFAULT 0,
  vm_state TEXT,
  task_state TEXT,
  power_state INTEGER NOT NULL DEFAULT 0,
  host TEXT,
  node TEXT,
  launched_on TEXT,
  availability_zone TEXT,
  launched_at TEXT,
  terminated_at TEXT,
  key_name TEXT,
  key_data TEXT,
  user_data TEXT,
  config_drive TEXT,
  locked INTEGER NOT NULL DEFAULT 0,
  locked_by TEXT,
  access_ip_v4 TEXT,
  access_ip_v6 TEXT,
  progress INTEGER,
  reservation_id TEXT,
  launch_index INTEGER,
  root_device_name TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT,
  deleted_at TEXT,
  deleted INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX ix_instances_project ON instances(project_id, deleted);
CREATE INDEX ix_instances_host ON instances(host, deleted);
CREATE INDEX ix_instances_created ON instances(created_at, id);
CREATE TABLE instance_faults (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  instance_uuid TEXT NOT NULL,
  code INTEGER NOT NULL,
  message TEXT,
  details TEXT,
  host TEXT,
  created_at TEXT NOT NULL
);
CREATE INDEX ix_instance_faults_uuid ON instance_faults(instance_uuid);
CREATE TABLE instance_actions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  action TEXT NOT NULL,
  instance_uuid TEXT NOT NULL,
  request_id TEXT,
  user_id TEXT,
  project_id TEXT,
  start_time TEXT NOT NULL,
  finish_time TEXT,
  message TEXT,
  updated_at TEXT
);
CREATE INDEX ix_instance_actions_uuid ON instance_actions(instance_uuid, request_id);
CREATE TABLE instance_actions_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  event TEXT NOT NULL,
  action_id INTEGER NOT NULL REFERENCES instance_actions(id),
  start_time TEXT NOT NULL,
  finish_time TEXT,
  result TEXT,
  traceback TEXT,
  host TEXT,
  details TEXT
);
CREATE TABLE instance_metadata (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  instance_uuid TEXT NOT NULL,
  key TEXT NOT NULL,
  value TEXT,
  UNIQUE (instance_uuid, key)
);
CREATE TABLE instance_system_metadata (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  instance_uuid TEXT NOT NULL,
  key TEXT NOT NULL,
  value TEXT,
  UNIQUE (instance_uuid, key)
);
CREATE TABLE tags (
  resource_id TEXT NOT NULL,
  tag TEXT NOT NULL,
  PRIMARY KEY (resource_id, tag)
);
CREATE TABLE services (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  uuid TEXT NOT NULL UNIQUE,
  host TEXT NOT NULL,
  binary TEXT NOT NULL,
  topic TEXT,
  availability_zone TEXT,
  report_count INTEGER NOT NULL DEFAULT 0,
  disabled INTEGER NOT NULL DEFAULT 0,
  disabled_reason TEXT,
  forced_down INTEGER NOT NULL DEFAULT 0,
  last_seen_up TEXT,
  version INTEGER NOT NULL DEFAULT 61,
  created_at TEXT NOT NULL,
  updated_at TEXT,
  deleted INTEGER NOT NULL DEFAULT 0,
  UNIQUE (host, binary, deleted)
);
CREATE TABLE compute_nodes (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  uuid TEXT NOT NULL UNIQUE,
  service_id INTEGER REFERENCES services(id),
  host TEXT NOT NULL,
  hypervisor_hostname TEXT NOT NULL,
  hypervisor_type TEXT,
  hypervisor_version INTEGER,
  vcpus INTEGER NOT NULL DEFAULT 0,
  memory_mb INTEGER NOT NULL DEFAULT 0,
  local_gb INTEGER NOT NULL DEFAULT 0,
  vcpus_used INTEGER NOT NULL DEFAULT 0,
  memory_mb_used INTEGER NOT NULL DEFAULT 0,
  local_gb_used INTEGER NOT NULL DEFAULT 0,
  running_vms INTEGER NOT NULL DEFAULT 0,
  cpu_info TEXT,
  host_ip TEXT,
  mapped INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  updated_at TEXT,
  deleted INTEGER NOT NULL DEFAULT 0,
  UNIQUE (host, hypervisor_hostname, deleted)
);
CREATE TABLE migrations (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  uuid TEXT NOT NULL UNIQUE,
  instance_uuid TEXT NOT NULL,
  source_compute TEXT,
  dest_compute TEXT,
  source_node TEXT,
  dest_node TEXT,
  old_flavor TEXT,
  new_flavor TEXT,
  migration_type TEXT NOT NULL,
  status TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT
);
CREATE TABLE block_device_mapping (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  instance_uuid TEXT NOT NULL,
  source_type TEXT,
  destination_type TEXT,
  device_name TEXT,
  boot_index INTEGER,
  image_id TEXT,
  volume_size INTEGER,
  delete_on_termination INTEGER NOT NULL DEFAULT 1,
  created_at TEXT NOT NULL
);
CREATE TABLE console_auth_tokens (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  token_hash TEXT NOT NULL UNIQUE,
  console_type TEXT NOT NULL,
  host TEXT NOT NULL,
  port INTEGER NOT NULL,
  internal_access_path TEXT,
  instance_uuid TEXT NOT NULL,
  access_url_base TEXT,
  expires INTEGER NOT NULL,
  created_at TEXT NOT NULL
);
`;

/**
 * pocketstack's own (not in Nova's schema): which services, compute_nodes and instances rows changed, in
 * commit order, so the scheduler's host cache re-reads only those rows instead of a thousand per request.
 * SQLite lets one writer commit at a time, so a sequence taken inside the writing transaction is
 * exact: every row changed after the last `seq` a reader saw has a larger one. One entry per row
 * (the latest change), so the table never grows past the rows it tracks.
 */
function changeTriggers(table: string, updateOf = ""): string {
  const log = (id: string) =>
    `INSERT OR REPLACE INTO host_changes (table_name, row_id, seq) VALUES ('${table}', ${id}, (SELECT COALESCE(MAX(seq), 0) + 1 FROM host_changes));`;
  return `
CREATE TRIGGER ${table}_host_change_insert AFTER INSERT ON ${table} BEGIN ${log("NEW.id")} END;
CREATE TRIGGER ${table}_host_change_update AFTER UPDATE ${updateOf} ON ${table} BEGIN ${log("NEW.id")} END;
CREATE TRIGGER ${table}_host_change_delete AFTER DELETE ON ${table} BEGIN ${log("OLD.id")} END;`;
}

const HOST_CHANGES = `
CREATE TABLE host_changes (
  table_name TEXT NOT NULL,
  row_id INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  PRIMARY KEY (table_name, row_id)
);
CREATE INDEX ix_host_changes_seq ON host_changes (seq);
${changeTriggers("services")}
${changeTriggers("compute_nodes")}
${changeTriggers("instances", "OF host, node, deleted")}
`;

export const NOVA_CELL_MIGRATIONS: Migration[] = [
  { version: 1, description: "initial nova cell schema", up: INITIAL },
  { version: 2, description: "host_changes: the scheduler's log of changed host rows", up: HOST_CHANGES },
];
