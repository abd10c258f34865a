import type { Db } from "../../common/db/database.js";
import { ROOT_DOMAIN_ID } from "../db/migrations.js";
import { conflict, forbiddenMsg, notFound, validation } from "../errors.js";
import { extraOf, newId, parseExtra } from "./util.js";

export interface Domain {
  id: string;
  name: string;
  description: string;
  enabled: boolean;
  tags: string[];
  options: Record<string, unknown>;
  [extra: string]: unknown;
}
export interface Project extends Domain {
  domain_id: string;
  parent_id: string | null;
  is_domain: boolean;
}

interface ProjectRow {
  id: string;
  name: string;
  domain_id: string;
  description: string | null;
  enabled: number;
  parent_id: string | null;
  is_domain: number;
  extra: string;
}

const PROJECT_COLUMNS = ["id", "name", "domain_id", "description", "enabled", "parent_id", "is_domain", "tags"];

/** Domains and projects (Keystone's resource backend): one table, domains flagged is_domain. */
export class ResourceBackend {
  private readonly byId;
  private readonly tagsOf;
  constructor(private readonly db: Db) {
    this.byId = db.prepare<[string], ProjectRow>("SELECT * FROM project WHERE id = ?");
    this.tagsOf = db.prepare<[string], { name: string }>("SELECT name FROM project_tag WHERE project_id = ? ORDER BY name");
  }

  private toDomain(r: ProjectRow): Domain {
    const extra = parseExtra(r.extra);
    return {
      ...extra,
      id: r.id,
      name: r.name,
      description: r.description ?? "",
      enabled: r.enabled === 1,
      tags: this.tagsOf.all(r.id).map((t) => t.name),
      options: (extra.options as Record<string, unknown>) ?? {},
    };
  }
  private toProject(r: ProjectRow): Project {
    return { ...this.toDomain(r), domain_id: r.domain_id, parent_id: r.parent_id, is_domain: false };
  }

  // ---- domains
  createDomain(d: { id?: string; name: string; description?: string; enabled?: boolean; [k: string]: unknown }): Domain {
    const id = d.id ?? newId();
    if (this.db.prepare("SELECT 1 FROM project WHERE is_domain = 1 AND name = ?").get(d.name))
      throw conflict("domain", `Duplicate entry found with name ${d.name}`);
    if (this.byId.get(id)) throw conflict("domain", `Duplicate ID, ${id}`);
    this.db
      .prepare(
        "INSERT INTO project (id, name, domain_id, description, enabled, parent_id, is_domain, extra) VALUES (?, ?, ?, ?, ?, NULL, 1, ?)",
      )
      .run(id, d.name, ROOT_DOMAIN_ID, d.description ?? "", d.enabled === false ? 0 : 1, JSON.stringify(extraOf(d, PROJECT_COLUMNS)));
    this.setTags(id, (d.tags as string[] | undefined) ?? []);
    return this.getDomain(id);
  }

  findDomain(id: string): Domain | undefined {
    const r = this.byId.get(id);
    return r && r.is_domain === 1 ? this.toDomain(r) : undefined;
  }
  getDomain(id: string): Domain {
    const d = this.findDomain(id);
    if (!d) throw notFound("domain", id);
    return d;
  }
  getDomainByName(name: string): Domain {
    const r = this.db.prepare<[string], ProjectRow>("SELECT * FROM project WHERE is_domain = 1 AND name = ?").get(name);
    if (!r) throw notFound("domain", name);
    return this.toDomain(r);
  }
  listDomains(filters: { name?: string; enabled?: boolean } = {}): Domain[] {
    const { where, args } = this.filterSql(filters);
    return this.db
      .prepare<unknown[], ProjectRow>(`SELECT * FROM project WHERE is_domain = 1 ${where} ORDER BY name`)
      .all(...args)
      .map((r) => this.toDomain(r));
  }
  updateDomain(id: string, patch: Record<string, unknown>): Domain {
    const cur = this.getDomain(id);
    if (patch.name !== undefined && patch.name !== cur.name) {
      if (this.db.prepare("SELECT 1 FROM project WHERE is_domain = 1 AND name = ?").get(patch.name))
        throw conflict("domain", `Duplicate entry found with name ${String(patch.name)}`);
    }
    this.update(id, cur, patch);
    return this.getDomain(id);
  }
  /** A domain is deleted with everything in it; Keystone requires it to be disabled first. */
  deleteDomain(id: string): void {
    const d = this.getDomain(id);
    if (d.enabled) throw forbiddenMsg("Cannot delete a domain that is enabled, please disable it first.");
    this.db.transaction(() => {
      const projects = this.db.prepare<[string], { id: string }>("SELECT id FROM project WHERE domain_id = ? AND is_domain = 0").all(id);
      // children before parents (parent_id is a foreign key)
      const depth = new Map(projects.map((p) => [p.id, this.ancestors(p.id).length]));
      projects.sort((a, b) => (depth.get(b.id) ?? 0) - (depth.get(a.id) ?? 0));
      for (const p of projects) this.removeProjectRow(p.id);
      this.db.prepare("DELETE FROM assignment WHERE actor_id IN (SELECT id FROM user WHERE domain_id = ?)").run(id);
      this.db.prepare('DELETE FROM assignment WHERE actor_id IN (SELECT id FROM "group" WHERE domain_id = ?)').run(id);
      this.db.prepare("DELETE FROM user WHERE domain_id = ?").run(id);
      this.db.prepare('DELETE FROM "group" WHERE domain_id = ?').run(id);
      this.db.prepare("DELETE FROM role WHERE domain_id = ?").run(id);
      this.db.prepare("DELETE FROM assignment WHERE target_id = ?").run(id);
      this.db.prepare("DELETE FROM project WHERE id = ?").run(id);
    })();
  }

  // ---- projects
  createProject(p: {
    id?: string;
    name: string;
    domain_id: string;
    parent_id?: string | null;
    description?: string;
    enabled?: boolean;
    tags?: string[];
    [k: string]: unknown;
  }): Project {
    this.getDomain(p.domain_id);
    let parent = p.domain_id;
    if (p.parent_id && p.parent_id !== p.domain_id) {
      const par = this.findProject(p.parent_id);
      if (!par) throw notFound("project", p.parent_id);
      if (par.domain_id !== p.domain_id)
        throw forbiddenMsg(`Cannot create project, the parent (${par.id}) is in a different domain (${par.domain_id}).`);
      parent = par.id;
    }
    if (this.db.prepare("SELECT 1 FROM project WHERE domain_id = ? AND name = ? AND is_domain = 0").get(p.domain_id, p.name))
      throw conflict("project", `Duplicate entry found with name ${p.name} at domain ID ${p.domain_id}`);
    const id = p.id ?? newId();
    this.db
      .prepare(
        "INSERT INTO project (id, name, domain_id, description, enabled, parent_id, is_domain, extra) VALUES (?, ?, ?, ?, ?, ?, 0, ?)",
      )
      .run(id, p.name, p.domain_id, p.description ?? "", p.enabled === false ? 0 : 1, parent, JSON.stringify(extraOf(p, PROJECT_COLUMNS)));
    this.setTags(id, p.tags ?? []);
    return this.getProject(id);
  }
  findProject(id: string): Project | undefined {
    const r = this.byId.get(id);
    return r && r.is_domain === 0 ? this.toProject(r) : undefined;
  }
  getProject(id: string): Project {
    const p = this.findProject(id);
    if (!p) throw notFound("project", id);
    return p;
  }
  getProjectByName(name: string, domainId: string): Project {
    const r = this.db
      .prepare<[string, string], ProjectRow>("SELECT * FROM project WHERE is_domain = 0 AND name = ? AND domain_id = ?")
      .get(name, domainId);
    if (!r) throw notFound("project", name);
    return this.toProject(r);
  }
  listProjects(filters: { name?: string; enabled?: boolean; domain_id?: string; parent_id?: string; ids?: string[] } = {}): Project[] {
    const { where, args } = this.filterSql(filters);
    let sql = `SELECT * FROM project WHERE is_domain = 0 ${where}`;
    if (filters.domain_id !== undefined) {
      sql += " AND domain_id = ?";
      args.push(filters.domain_id);
    }
    if (filters.parent_id !== undefined) {
      sql += " AND parent_id = ?";
      args.push(filters.parent_id);
    }
    if (filters.ids) {
      if (filters.ids.length === 0) return [];
      sql += ` AND id IN (${filters.ids.map(() => "?").join(",")})`;
      args.push(...filters.ids);
    }
    return this.db
      .prepare<unknown[], ProjectRow>(`${sql} ORDER BY name`)
      .all(...args)
      .map((r) => this.toProject(r));
  }
  updateProject(id: string, patch: Record<string, unknown>): Project {
    const cur = this.getProject(id);
    if (patch.domain_id !== undefined && patch.domain_id !== cur.domain_id) throw validation("Update of `domain_id` is not allowed.");
    if (patch.parent_id !== undefined && patch.parent_id !== cur.parent_id) throw forbiddenMsg("Update of `parent_id` is not allowed.");
    if (patch.name !== undefined && patch.name !== cur.name) {
      if (this.db.prepare("SELECT 1 FROM project WHERE domain_id = ? AND name = ? AND is_domain = 0").get(cur.domain_id, patch.name))
        throw conflict("project", `Duplicate entry found with name ${String(patch.name)} at domain ID ${cur.domain_id}`);
    }
    this.update(id, cur, patch);
    return this.getProject(id);
  }
  deleteProject(id: string): void {
    this.getProject(id);
    if (this.db.prepare("SELECT 1 FROM project WHERE parent_id = ?").get(id))
      throw forbiddenMsg(
        `Cannot delete the project ${id} since it is not a leaf in the hierarchy. Use the cascade option if you want to delete a whole subtree.`,
      );
    this.db.transaction(() => this.removeProjectRow(id))();
  }
  private removeProjectRow(id: string): void {
    this.db.prepare("DELETE FROM assignment WHERE target_id = ?").run(id);
    this.db.prepare("UPDATE user SET default_project_id = NULL WHERE default_project_id = ?").run(id);
    this.db.prepare("DELETE FROM project WHERE id = ?").run(id);
  }

  /** Parents of a project, nearest first, up to (not including) its domain. */
  ancestors(id: string): string[] {
    return this.db
      .prepare<[string], { id: string }>(
        `WITH RECURSIVE up(id, depth) AS (
           SELECT parent_id, 1 FROM project WHERE id = ?
           UNION ALL SELECT p.parent_id, up.depth + 1 FROM project p JOIN up ON p.id = up.id WHERE p.is_domain = 0
         ) SELECT up.id FROM up JOIN project p ON p.id = up.id WHERE p.is_domain = 0 ORDER BY depth`,
      )
      .all(id)
      .map((r) => r.id);
  }
  /** Every project below this one. */
  subtree(id: string): string[] {
    return this.db
      .prepare<[string], { id: string }>(
        `WITH RECURSIVE down(id) AS (
           SELECT id FROM project WHERE parent_id = ? AND is_domain = 0
           UNION ALL SELECT p.id FROM project p JOIN down ON p.parent_id = down.id
         ) SELECT id FROM down`,
      )
      .all(id)
      .map((r) => r.id);
  }

  // ---- shared
  private filterSql(f: { name?: string; enabled?: boolean }): { where: string; args: unknown[] } {
    const parts: string[] = [];
    const args: unknown[] = [];
    if (f.name !== undefined) {
      parts.push("AND name = ?");
      args.push(f.name);
    }
    if (f.enabled !== undefined) {
      parts.push("AND enabled = ?");
      args.push(f.enabled ? 1 : 0);
    }
    return { where: parts.join(" "), args };
  }

  private update(id: string, cur: Domain, patch: Record<string, unknown>): void {
    const merged = { ...cur, ...patch };
    const extra = extraOf(merged, PROJECT_COLUMNS);
    this.db
      .prepare("UPDATE project SET name = ?, description = ?, enabled = ?, extra = ? WHERE id = ?")
      .run(String(merged.name), String(merged.description ?? ""), merged.enabled === false ? 0 : 1, JSON.stringify(extra), id);
    if (patch.tags !== undefined) this.setTags(id, patch.tags as string[]);
  }

  private setTags(id: string, tags: string[]): void {
    this.db.prepare("DELETE FROM project_tag WHERE project_id = ?").run(id);
    const ins = this.db.prepare("INSERT OR IGNORE INTO project_tag (project_id, name) VALUES (?, ?)");
    for (const t of tags) ins.run(id, t);
  }
}
