import type { Db } from "../../common/db/database.js";
import { conflict, notFound } from "../errors.js";
import { type HashAlgorithm, checkPassword, checkPasswordAsync, hashPassword } from "../password.js";
import { extraOf, newId, now, parseExtra } from "./util.js";

export interface User {
  id: string;
  name: string;
  domain_id: string;
  enabled: boolean;
  default_project_id?: string;
  password_expires_at: string | null;
  options: Record<string, unknown>;
  [extra: string]: unknown;
}
export interface Group {
  id: string;
  name: string;
  domain_id: string;
  description: string;
  [extra: string]: unknown;
}

interface UserRow {
  id: string;
  domain_id: string;
  enabled: number;
  default_project_id: string | null;
  extra: string;
  name: string;
  local_id: number;
  expires_at: string | null;
}
interface GroupRow {
  id: string;
  domain_id: string;
  name: string;
  description: string | null;
  extra: string;
}

const USER_COLUMNS = ["id", "name", "domain_id", "enabled", "default_project_id", "password", "password_expires_at"];
const GROUP_COLUMNS = ["id", "name", "domain_id", "description"];

const USER_SELECT = `SELECT u.id, u.domain_id, u.enabled, u.default_project_id, u.extra, l.name, l.id AS local_id,
  (SELECT expires_at FROM password WHERE local_user_id = l.id ORDER BY id DESC LIMIT 1) AS expires_at
  FROM user u JOIN local_user l ON l.user_id = u.id`;

export interface HashSettings {
  algorithm: HashAlgorithm;
  rounds: number;
}

/** Users (with local_user + password history, as Keystone's SQL identity driver), groups, membership. */
export class IdentityBackend {
  private readonly userById;
  private readonly groupIdsOf;
  private readonly userState;
  constructor(
    private readonly db: Db,
    private readonly hash: HashSettings,
  ) {
    this.userById = db.prepare<[string], UserRow>(`${USER_SELECT} WHERE u.id = ?`);
    this.userState = db.prepare<[string], { enabled: number; domain_id: string }>("SELECT enabled, domain_id FROM user WHERE id = ?");
    this.groupIdsOf = db.prepare<[string], { group_id: string }>("SELECT group_id FROM user_group_membership WHERE user_id = ?");
  }

  private toUser(r: UserRow): User {
    const extra = parseExtra(r.extra);
    const u: User = {
      ...extra,
      id: r.id,
      name: r.name,
      domain_id: r.domain_id,
      enabled: r.enabled === 1,
      password_expires_at: r.expires_at,
      options: (extra.options as Record<string, unknown>) ?? {},
    };
    if (r.default_project_id) u.default_project_id = r.default_project_id;
    return u;
  }

  createUser(u: {
    id?: string;
    name: string;
    domain_id: string;
    password?: string | null;
    enabled?: boolean;
    default_project_id?: string;
    [k: string]: unknown;
  }): User {
    if (this.db.prepare("SELECT 1 FROM local_user WHERE domain_id = ? AND name = ?").get(u.domain_id, u.name))
      throw conflict("user", `Duplicate entry found with name ${u.name} at domain ID ${u.domain_id}`);
    const id = u.id ?? newId();
    this.db.transaction(() => {
      this.db
        .prepare("INSERT INTO user (id, domain_id, enabled, default_project_id, extra, created_at) VALUES (?, ?, ?, ?, ?, ?)")
        .run(id, u.domain_id, u.enabled === false ? 0 : 1, u.default_project_id ?? null, JSON.stringify(extraOf(u, USER_COLUMNS)), now());
      const local = this.db.prepare("INSERT INTO local_user (user_id, domain_id, name) VALUES (?, ?, ?)").run(id, u.domain_id, u.name);
      if (typeof u.password === "string") this.storePassword(Number(local.lastInsertRowid), u.password);
    })();
    return this.getUser(id);
  }

  private storePassword(localId: number, password: string): void {
    this.db
      .prepare("INSERT INTO password (local_user_id, password_hash, created_at) VALUES (?, ?, ?)")
      .run(localId, hashPassword(password, this.hash.algorithm, this.hash.rounds), now());
  }

  findUser(id: string): User | undefined {
    const r = this.userById.get(id);
    return r ? this.toUser(r) : undefined;
  }
  getUser(id: string): User {
    const u = this.findUser(id);
    if (!u) throw notFound("user", id);
    return u;
  }
  /** Cheap check used on every token validation. */
  userEnabled(id: string): { enabled: boolean; domain_id: string } | undefined {
    const r = this.userState.get(id);
    return r && { enabled: r.enabled === 1, domain_id: r.domain_id };
  }
  getUserByName(name: string, domainId: string): User {
    const r = this.db.prepare<[string, string], UserRow>(`${USER_SELECT} WHERE l.name = ? AND l.domain_id = ?`).get(name, domainId);
    if (!r) throw notFound("user", name);
    return this.toUser(r);
  }
  listUsers(f: { name?: string; domain_id?: string; enabled?: boolean; ids?: string[] } = {}): User[] {
    let sql = `${USER_SELECT} WHERE 1 = 1`;
    const args: unknown[] = [];
    if (f.name !== undefined) (sql += " AND l.name = ?"), args.push(f.name);
    if (f.domain_id !== undefined) (sql += " AND u.domain_id = ?"), args.push(f.domain_id);
    if (f.enabled !== undefined) (sql += " AND u.enabled = ?"), args.push(f.enabled ? 1 : 0);
    if (f.ids) {
      if (f.ids.length === 0) return [];
      sql += ` AND u.id IN (${f.ids.map(() => "?").join(",")})`;
      args.push(...f.ids);
    }
    return this.db
      .prepare<unknown[], UserRow>(`${sql} ORDER BY l.name`)
      .all(...args)
      .map((r) => this.toUser(r));
  }

  updateUser(id: string, patch: Record<string, unknown>): User {
    const r = this.userById.get(id);
    if (!r) throw notFound("user", id);
    const cur = this.toUser(r);
    const merged = { ...cur, ...patch };
    if (patch.name !== undefined && patch.name !== cur.name) {
      if (this.db.prepare("SELECT 1 FROM local_user WHERE domain_id = ? AND name = ?").get(cur.domain_id, patch.name))
        throw conflict("user", `Duplicate entry found with name ${String(patch.name)} at domain ID ${cur.domain_id}`);
    }
    const extra = extraOf(merged, USER_COLUMNS);
    this.db.transaction(() => {
      this.db
        .prepare("UPDATE user SET enabled = ?, default_project_id = ?, extra = ? WHERE id = ?")
        .run(merged.enabled === false ? 0 : 1, (merged.default_project_id as string | undefined) ?? null, JSON.stringify(extra), id);
      this.db.prepare("UPDATE local_user SET name = ? WHERE id = ?").run(String(merged.name), r.local_id);
      if (typeof patch.password === "string") this.storePassword(r.local_id, patch.password);
    })();
    return this.getUser(id);
  }

  deleteUser(id: string): void {
    this.getUser(id);
    this.db.transaction(() => {
      this.db.prepare("DELETE FROM assignment WHERE actor_id = ?").run(id);
      this.db.prepare("DELETE FROM system_assignment WHERE actor_id = ?").run(id);
      this.db.prepare("DELETE FROM credential WHERE user_id = ?").run(id);
      this.db.prepare("DELETE FROM user WHERE id = ?").run(id);
    })();
  }

  private newestHash(userId: string): string | undefined {
    return this.db
      .prepare<[string], { password_hash: string }>(
        "SELECT p.password_hash FROM password p JOIN local_user l ON l.id = p.local_user_id WHERE l.user_id = ? ORDER BY p.id DESC LIMIT 1",
      )
      .get(userId)?.password_hash;
  }

  /** True when the user has a password and it matches the newest one (blocking: for tools like bootstrap). */
  checkPassword(userId: string, password: string): boolean {
    const hash = this.newestHash(userId);
    return hash ? checkPassword(password, hash) : false;
  }

  /** The same check for the API, which must not block its event loop on a slow hash. */
  async verifyPassword(userId: string, password: string): Promise<boolean> {
    const hash = this.newestHash(userId);
    return hash ? checkPasswordAsync(password, hash) : false;
  }

  setPassword(userId: string, password: string, selfService = false): void {
    const r = this.userById.get(userId);
    if (!r) throw notFound("user", userId);
    this.db
      .prepare("INSERT INTO password (local_user_id, password_hash, created_at, self_service) VALUES (?, ?, ?, ?)")
      .run(r.local_id, hashPassword(password, this.hash.algorithm, this.hash.rounds), now(), selfService ? 1 : 0);
  }

  touchLastActive(userId: string): void {
    this.db.prepare("UPDATE user SET last_active_at = ? WHERE id = ?").run(now().slice(0, 10), userId);
  }

  // ---- groups
  private toGroup(r: GroupRow): Group {
    return { ...parseExtra(r.extra), id: r.id, name: r.name, domain_id: r.domain_id, description: r.description ?? "" };
  }
  createGroup(g: { id?: string; name: string; domain_id: string; description?: string; [k: string]: unknown }): Group {
    if (this.db.prepare('SELECT 1 FROM "group" WHERE domain_id = ? AND name = ?').get(g.domain_id, g.name))
      throw conflict("group", `Duplicate entry found with name ${g.name} at domain ID ${g.domain_id}`);
    const id = g.id ?? newId();
    this.db
      .prepare('INSERT INTO "group" (id, domain_id, name, description, extra) VALUES (?, ?, ?, ?, ?)')
      .run(id, g.domain_id, g.name, g.description ?? "", JSON.stringify(extraOf(g, GROUP_COLUMNS)));
    return this.getGroup(id);
  }
  findGroup(id: string): Group | undefined {
    const r = this.db.prepare<[string], GroupRow>('SELECT * FROM "group" WHERE id = ?').get(id);
    return r ? this.toGroup(r) : undefined;
  }
  getGroup(id: string): Group {
    const g = this.findGroup(id);
    if (!g) throw notFound("group", id);
    return g;
  }
  getGroupByName(name: string, domainId: string): Group {
    const r = this.db.prepare<[string, string], GroupRow>('SELECT * FROM "group" WHERE name = ? AND domain_id = ?').get(name, domainId);
    if (!r) throw notFound("group", name);
    return this.toGroup(r);
  }
  listGroups(f: { name?: string; domain_id?: string } = {}): Group[] {
    let sql = 'SELECT * FROM "group" WHERE 1 = 1';
    const args: unknown[] = [];
    if (f.name !== undefined) (sql += " AND name = ?"), args.push(f.name);
    if (f.domain_id !== undefined) (sql += " AND domain_id = ?"), args.push(f.domain_id);
    return this.db
      .prepare<unknown[], GroupRow>(`${sql} ORDER BY name`)
      .all(...args)
      .map((r) => this.toGroup(r));
  }
  updateGroup(id: string, patch: Record<string, unknown>): Group {
    const cur = this.getGroup(id);
    const merged = { ...cur, ...patch };
    if (patch.name !== undefined && patch.name !== cur.name) {
      if (this.db.prepare('SELECT 1 FROM "group" WHERE domain_id = ? AND name = ?').get(cur.domain_id, patch.name))
        throw conflict("group", `Duplicate entry found with name ${String(patch.name)} at domain ID ${cur.domain_id}`);
    }
    this.db
      .prepare('UPDATE "group" SET name = ?, description = ?, extra = ? WHERE id = ?')
      .run(String(merged.name), String(merged.description ?? ""), JSON.stringify(extraOf(merged, GROUP_COLUMNS)), id);
    return this.getGroup(id);
  }
  deleteGroup(id: string): void {
    this.getGroup(id);
    this.db.transaction(() => {
      this.db.prepare("DELETE FROM assignment WHERE actor_id = ?").run(id);
      this.db.prepare("DELETE FROM system_assignment WHERE actor_id = ?").run(id);
      this.db.prepare('DELETE FROM "group" WHERE id = ?').run(id);
    })();
  }

  addToGroup(userId: string, groupId: string): void {
    this.db.prepare("INSERT OR IGNORE INTO user_group_membership (user_id, group_id) VALUES (?, ?)").run(userId, groupId);
  }
  removeFromGroup(userId: string, groupId: string): boolean {
    return this.db.prepare("DELETE FROM user_group_membership WHERE user_id = ? AND group_id = ?").run(userId, groupId).changes > 0;
  }
  isMember(userId: string, groupId: string): boolean {
    return !!this.db.prepare("SELECT 1 FROM user_group_membership WHERE user_id = ? AND group_id = ?").get(userId, groupId);
  }
  groupIdsForUser(userId: string): string[] {
    return this.groupIdsOf.all(userId).map((r) => r.group_id);
  }
  groupsForUser(userId: string): Group[] {
    return this.groupIdsForUser(userId).map((g) => this.getGroup(g));
  }
  userIdsInGroup(groupId: string): string[] {
    return this.db
      .prepare<[string], { user_id: string }>("SELECT user_id FROM user_group_membership WHERE group_id = ?")
      .all(groupId)
      .map((r) => r.user_id);
  }
}
