import type { Db } from "../../common/db/database.js";
import { conflict, notFound } from "../errors.js";
import { extraOf, newId, parseExtra } from "./util.js";

export interface Role {
  id: string;
  name: string;
  domain_id: string | null;
  description: string | null;
  options: Record<string, unknown>;
  [extra: string]: unknown;
}
interface RoleRow {
  id: string;
  name: string;
  domain_id: string;
  description: string | null;
  extra: string;
}

/** Keystone stores "no domain" as this marker so (name, domain_id) can be unique. */
const NULL_DOMAIN = "<<null>>";
const ROLE_COLUMNS = ["id", "name", "domain_id", "description"];

export type ActorKind = "user" | "group";
export type TargetKind = "project" | "domain" | "system";

/** One row of either assignment table, in a shape the API and the effective-role maths share. */
export interface Assignment {
  actor: ActorKind;
  actor_id: string;
  target: TargetKind;
  target_id: string;
  role_id: string;
  inherited: boolean;
}

const typeOf = (actor: ActorKind, target: TargetKind) =>
  `${actor === "user" ? "User" : "Group"}${target === "project" ? "Project" : target === "domain" ? "Domain" : "System"}`;
const parseType = (t: string): { actor: ActorKind; target: TargetKind } => ({
  actor: t.startsWith("User") ? "user" : "group",
  target: t.endsWith("Project") ? "project" : t.endsWith("Domain") ? "domain" : "system",
});

/** Roles, implied roles and role assignments (Keystone's assignment + role backends). */
export class AssignmentBackend {
  /** prior role id -> implied role ids; rebuilt after any change to implied_role. */
  private impliedCache?: Map<string, string[]>;
  private roleCache = new Map<string, Role>();
  private cacheVersion = "";
  /**
   * @param version changes whenever the database does (see KeystoneStore.generation), including a
   *   commit by another process, so the in-memory role caches never serve stale rows.
   */
  constructor(
    private readonly db: Db,
    private readonly version: () => string = () => "",
  ) {}

  private fresh(): void {
    const v = this.version();
    if (v !== this.cacheVersion) {
      this.cacheVersion = v;
      this.roleCache.clear();
      this.impliedCache = undefined;
    }
  }

  private toRole(r: RoleRow): Role {
    const extra = parseExtra(r.extra);
    return {
      ...extra,
      id: r.id,
      name: r.name,
      domain_id: r.domain_id === NULL_DOMAIN ? null : r.domain_id,
      description: r.description,
      options: (extra.options as Record<string, unknown>) ?? {},
    };
  }

  createRole(r: { id?: string; name: string; domain_id?: string | null; description?: string | null; [k: string]: unknown }): Role {
    const dom = r.domain_id ?? NULL_DOMAIN;
    if (this.db.prepare("SELECT 1 FROM role WHERE name = ? AND domain_id = ?").get(r.name, dom))
      throw conflict("role", `Duplicate entry found with name ${r.name}`);
    const id = r.id ?? newId();
    this.db
      .prepare("INSERT INTO role (id, name, domain_id, description, extra) VALUES (?, ?, ?, ?, ?)")
      .run(id, r.name, dom, r.description ?? null, JSON.stringify(extraOf(r, ROLE_COLUMNS)));
    return this.getRole(id);
  }
  findRole(id: string): Role | undefined {
    this.fresh();
    const cached = this.roleCache.get(id);
    if (cached) return cached;
    const r = this.db.prepare<[string], RoleRow>("SELECT * FROM role WHERE id = ?").get(id);
    if (!r) return undefined;
    const role = this.toRole(r);
    this.roleCache.set(id, role);
    return role;
  }
  getRole(id: string): Role {
    const r = this.findRole(id);
    if (!r) throw notFound("role", id);
    return r;
  }
  getRoleByName(name: string, domainId: string | null = null): Role {
    const r = this.db
      .prepare<[string, string], RoleRow>("SELECT * FROM role WHERE name = ? AND domain_id = ?")
      .get(name, domainId ?? NULL_DOMAIN);
    if (!r) throw notFound("role", name);
    return this.toRole(r);
  }
  listRoles(f: { name?: string; domain_id?: string | null } = {}): Role[] {
    let sql = "SELECT * FROM role WHERE domain_id = ?";
    const args: unknown[] = [f.domain_id ?? NULL_DOMAIN];
    if (f.name !== undefined) (sql += " AND name = ?"), args.push(f.name);
    return this.db
      .prepare<unknown[], RoleRow>(`${sql} ORDER BY name`)
      .all(...args)
      .map((r) => this.toRole(r));
  }
  updateRole(id: string, patch: Record<string, unknown>): Role {
    const cur = this.getRole(id);
    const merged = { ...cur, ...patch };
    if (patch.name !== undefined && patch.name !== cur.name) {
      if (this.db.prepare("SELECT 1 FROM role WHERE name = ? AND domain_id = ?").get(patch.name, cur.domain_id ?? NULL_DOMAIN))
        throw conflict("role", `Duplicate entry found with name ${String(patch.name)}`);
    }
    const extra = extraOf(merged, ROLE_COLUMNS);
    this.db
      .prepare("UPDATE role SET name = ?, description = ?, extra = ? WHERE id = ?")
      .run(String(merged.name), (merged.description as string | null) ?? null, JSON.stringify(extra), id);
    this.roleCache.delete(id);
    return this.getRole(id);
  }
  deleteRole(id: string): void {
    this.getRole(id);
    this.db.prepare("DELETE FROM role WHERE id = ?").run(id);
    this.roleCache.delete(id);
    this.impliedCache = undefined;
  }

  // ---- implied roles
  implied(): Map<string, string[]> {
    this.fresh();
    if (!this.impliedCache) {
      const m = new Map<string, string[]>();
      for (const r of this.db.prepare<[], { prior_role_id: string; implied_role_id: string }>("SELECT * FROM implied_role").all()) {
        const list = m.get(r.prior_role_id) ?? [];
        list.push(r.implied_role_id);
        m.set(r.prior_role_id, list);
      }
      this.impliedCache = m;
    }
    return this.impliedCache;
  }
  addImplied(prior: string, implied: string): void {
    this.db.prepare("INSERT OR IGNORE INTO implied_role (prior_role_id, implied_role_id) VALUES (?, ?)").run(prior, implied);
    this.impliedCache = undefined;
  }
  hasImplied(prior: string, implied: string): boolean {
    return (this.implied().get(prior) ?? []).includes(implied);
  }
  removeImplied(prior: string, implied: string): boolean {
    const n = this.db.prepare("DELETE FROM implied_role WHERE prior_role_id = ? AND implied_role_id = ?").run(prior, implied).changes;
    this.impliedCache = undefined;
    return n > 0;
  }
  /** The role ids plus everything they imply, transitively (cycles are harmless). */
  closure(roleIds: Iterable<string>): Set<string> {
    const implied = this.implied();
    const out = new Set<string>();
    const stack = [...roleIds];
    while (stack.length) {
      const id = stack.pop() as string;
      if (out.has(id)) continue;
      out.add(id);
      for (const next of implied.get(id) ?? []) stack.push(next);
    }
    return out;
  }

  // ---- assignments
  grant(a: Omit<Assignment, "inherited"> & { inherited?: boolean }): void {
    const table = a.target === "system" ? "system_assignment" : "assignment";
    this.db
      .prepare(`INSERT OR IGNORE INTO ${table} (type, actor_id, target_id, role_id, inherited) VALUES (?, ?, ?, ?, ?)`)
      .run(typeOf(a.actor, a.target), a.actor_id, a.target === "system" ? "system" : a.target_id, a.role_id, a.inherited ? 1 : 0);
  }
  hasGrant(a: Omit<Assignment, "inherited"> & { inherited?: boolean }): boolean {
    const table = a.target === "system" ? "system_assignment" : "assignment";
    return !!this.db
      .prepare(`SELECT 1 FROM ${table} WHERE type = ? AND actor_id = ? AND target_id = ? AND role_id = ? AND inherited = ?`)
      .get(typeOf(a.actor, a.target), a.actor_id, a.target === "system" ? "system" : a.target_id, a.role_id, a.inherited ? 1 : 0);
  }
  revoke(a: Omit<Assignment, "inherited"> & { inherited?: boolean }): boolean {
    const table = a.target === "system" ? "system_assignment" : "assignment";
    return (
      this.db
        .prepare(`DELETE FROM ${table} WHERE type = ? AND actor_id = ? AND target_id = ? AND role_id = ? AND inherited = ?`)
        .run(typeOf(a.actor, a.target), a.actor_id, a.target === "system" ? "system" : a.target_id, a.role_id, a.inherited ? 1 : 0)
        .changes > 0
    );
  }

  /** Every stored assignment matching the filters (any omitted filter matches all). */
  list(f: { actor_ids?: string[]; target?: TargetKind; target_ids?: string[]; role_id?: string; inherited?: boolean } = {}): Assignment[] {
    const out: Assignment[] = [];
    const tables = f.target === "system" ? ["system_assignment"] : f.target ? ["assignment"] : ["assignment", "system_assignment"];
    for (const table of tables) {
      let sql = `SELECT * FROM ${table} WHERE 1 = 1`;
      const args: unknown[] = [];
      if (f.actor_ids) {
        if (f.actor_ids.length === 0) return [];
        sql += ` AND actor_id IN (${f.actor_ids.map(() => "?").join(",")})`;
        args.push(...f.actor_ids);
      }
      if (f.target === "project") sql += " AND type LIKE '%Project'";
      if (f.target === "domain") sql += " AND type LIKE '%Domain'";
      if (f.target_ids && f.target !== "system") {
        if (f.target_ids.length === 0) continue;
        sql += ` AND target_id IN (${f.target_ids.map(() => "?").join(",")})`;
        args.push(...f.target_ids);
      }
      if (f.role_id) (sql += " AND role_id = ?"), args.push(f.role_id);
      if (f.inherited !== undefined) (sql += " AND inherited = ?"), args.push(f.inherited ? 1 : 0);
      for (const r of this.db
        .prepare<unknown[], { type: string; actor_id: string; target_id: string; role_id: string; inherited: number }>(sql)
        .all(...args)) {
        const t = parseType(r.type);
        out.push({
          actor: t.actor,
          actor_id: r.actor_id,
          target: t.target,
          target_id: t.target === "system" ? "all" : r.target_id,
          role_id: r.role_id,
          inherited: r.inherited === 1,
        });
      }
    }
    return out;
  }
}
