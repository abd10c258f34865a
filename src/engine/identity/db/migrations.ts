import type { Migration } from "../../common/db/database.js";

/**
 * The keystone database, with Keystone's table names: domains live in `project` with is_domain = 1
 * (their domain_id is the root marker), users are split into user/local_user/password, and system
 * role assignments have their own table, as in Keystone's SQL backends.
 */
export const ROOT_DOMAIN_ID = "<<keystone.domain.root>>";

export const KEYSTONE_MIGRATIONS: Migration[] = [
  {
    version: 1,
    description: "initial keystone schema",
    up: `
      CREATE TABLE project (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        domain_id TEXT NOT NULL,
        description TEXT,
        enabled INTEGER NOT NULL DEFAULT 1,
        parent_id TEXT REFERENCES project(id),
        is_domain INTEGER NOT NULL DEFAULT 0,
        extra TEXT NOT NULL DEFAULT '{}',
        UNIQUE (domain_id, name)
      );
      CREATE INDEX ix_project_parent ON project(parent_id);
      CREATE TABLE project_tag (
        project_id TEXT NOT NULL REFERENCES project(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        PRIMARY KEY (project_id, name)
      );

      CREATE TABLE user (
        id TEXT PRIMARY KEY,
        domain_id TEXT NOT NULL,
        enabled INTEGER NOT NULL DEFAULT 1,
        default_project_id TEXT,
        extra TEXT NOT NULL DEFAULT '{}',
        created_at TEXT NOT NULL,
        last_active_at TEXT
      );
      CREATE TABLE local_user (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        user_id TEXT NOT NULL UNIQUE REFERENCES user(id) ON DELETE CASCADE,
        domain_id TEXT NOT NULL,
        name TEXT NOT NULL,
        failed_auth_count INTEGER NOT NULL DEFAULT 0,
        UNIQUE (domain_id, name)
      );
      CREATE TABLE password (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        local_user_id INTEGER NOT NULL REFERENCES local_user(id) ON DELETE CASCADE,
        password_hash TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT,
        self_service INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX ix_password_local_user ON password(local_user_id);

      CREATE TABLE "group" (
        id TEXT PRIMARY KEY,
        domain_id TEXT NOT NULL,
        name TEXT NOT NULL,
        description TEXT,
        extra TEXT NOT NULL DEFAULT '{}',
        UNIQUE (domain_id, name)
      );
      CREATE TABLE user_group_membership (
        user_id TEXT NOT NULL REFERENCES user(id) ON DELETE CASCADE,
        group_id TEXT NOT NULL REFERENCES "group"(id) ON DELETE CASCADE,
        PRIMARY KEY (user_id, group_id)
      );
      CREATE INDEX ix_membership_group ON user_group_membership(group_id);

      CREATE TABLE role (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        domain_id TEXT NOT NULL DEFAULT '<<null>>',
        description TEXT,
        extra TEXT NOT NULL DEFAULT '{}',
        UNIQUE (name, domain_id)
      );
      CREATE TABLE implied_role (
        prior_role_id TEXT NOT NULL REFERENCES role(id) ON DELETE CASCADE,
        implied_role_id TEXT NOT NULL REFERENCES role(id) ON DELETE CASCADE,
        PRIMARY KEY (prior_role_id, implied_role_id)
      );
      -- type: UserProject, GroupProject, UserDomain, GroupDomain (Keystone's AssignmentType)
      CREATE TABLE assignment (
        type TEXT NOT NULL,
        actor_id TEXT NOT NULL,
        target_id TEXT NOT NULL,
        role_id TEXT NOT NULL REFERENCES role(id) ON DELETE CASCADE,
        inherited INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (type, actor_id, target_id, role_id, inherited)
      );
      CREATE INDEX ix_assignment_actor ON assignment(actor_id);
      CREATE INDEX ix_assignment_target ON assignment(target_id);
      -- type: UserSystem, GroupSystem; target_id is 'system'
      CREATE TABLE system_assignment (
        type TEXT NOT NULL,
        actor_id TEXT NOT NULL,
        target_id TEXT NOT NULL,
        role_id TEXT NOT NULL REFERENCES role(id) ON DELETE CASCADE,
        inherited INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (type, actor_id, target_id, role_id, inherited)
      );

      CREATE TABLE region (
        id TEXT PRIMARY KEY,
        description TEXT NOT NULL DEFAULT '',
        parent_region_id TEXT REFERENCES region(id),
        extra TEXT NOT NULL DEFAULT '{}'
      );
      CREATE TABLE service (
        id TEXT PRIMARY KEY,
        type TEXT NOT NULL,
        enabled INTEGER NOT NULL DEFAULT 1,
        extra TEXT NOT NULL DEFAULT '{}'
      );
      CREATE TABLE endpoint (
        id TEXT PRIMARY KEY,
        interface TEXT NOT NULL,
        service_id TEXT NOT NULL REFERENCES service(id) ON DELETE CASCADE,
        url TEXT NOT NULL,
        region_id TEXT REFERENCES region(id),
        enabled INTEGER NOT NULL DEFAULT 1,
        extra TEXT NOT NULL DEFAULT '{}'
      );

      CREATE TABLE credential (
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL,
        project_id TEXT,
        type TEXT NOT NULL,
        blob TEXT NOT NULL,
        extra TEXT NOT NULL DEFAULT '{}'
      );
      CREATE INDEX ix_credential_user ON credential(user_id);

      CREATE TABLE application_credential (
        internal_id INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        secret_hash TEXT NOT NULL,
        description TEXT,
        user_id TEXT NOT NULL REFERENCES user(id) ON DELETE CASCADE,
        project_id TEXT,
        system TEXT,
        expires_at TEXT,
        unrestricted INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        UNIQUE (user_id, name)
      );
      CREATE TABLE application_credential_role (
        application_credential_id INTEGER NOT NULL REFERENCES application_credential(internal_id) ON DELETE CASCADE,
        role_id TEXT NOT NULL,
        PRIMARY KEY (application_credential_id, role_id)
      );

      CREATE TABLE revocation_event (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        domain_id TEXT,
        project_id TEXT,
        user_id TEXT,
        role_id TEXT,
        audit_id TEXT,
        audit_chain_id TEXT,
        issued_before TEXT NOT NULL,
        expires_at TEXT,
        revoked_at TEXT NOT NULL
      );
      CREATE INDEX ix_revocation_event_revoked_at ON revocation_event(revoked_at);
    `,
  },
];
