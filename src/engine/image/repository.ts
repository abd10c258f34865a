import type { Db } from "../common/db/database.js";
import type { Statement } from "better-sqlite3";
import { IMAGE_VIEW_SQL } from "./db/image-view-sql.js";

export const IMAGE_STATUSES = [
  "queued",
  "saving",
  "active",
  "killed",
  "deleted",
  "pending_delete",
  "deactivated",
  "uploading",
  "importing",
] as const;
export type ImageStatus = (typeof IMAGE_STATUSES)[number];
export const VISIBILITIES = ["public", "private", "shared", "community"] as const;
export type Visibility = (typeof VISIBILITIES)[number];
export const MEMBER_STATUSES = ["pending", "accepted", "rejected"] as const;

/** An image as the API layer sees it: the images row, its properties and its tags. */
export interface Image {
  id: string;
  name: string | null;
  size: number | null;
  virtual_size: number | null;
  status: ImageStatus;
  visibility: Visibility;
  disk_format: string | null;
  container_format: string | null;
  checksum: string | null;
  os_hash_algo: string | null;
  os_hash_value: string | null;
  owner: string | null;
  min_disk: number;
  min_ram: number;
  protected: boolean;
  os_hidden: boolean;
  created_at: string;
  updated_at: string;
  tags: string[];
  properties: Record<string, string>;
}

export interface ImageMember {
  image_id: string;
  member: string;
  status: string;
  created_at: string;
  updated_at: string;
}

/** Base columns a PATCH or a create may set directly. */
export const MUTABLE_COLUMNS = [
  "name",
  "visibility",
  "disk_format",
  "container_format",
  "owner",
  "min_disk",
  "min_ram",
  "protected",
  "os_hidden",
] as const;
export type MutableColumn = (typeof MUTABLE_COLUMNS)[number];
export type ImageChanges = Partial<Pick<Image, MutableColumn>>;
/** What only the service itself changes: the status and what the data upload learned. */
export type DataChanges = Partial<Pick<Image, "status" | "size" | "virtual_size" | "checksum" | "os_hash_algo" | "os_hash_value">>;

interface ImageRow extends Omit<Image, "protected" | "os_hidden" | "tags" | "properties"> {
  protected: number;
  os_hidden: number;
}

/** Who is asking, as far as image visibility goes. */
export interface Viewer {
  projectId?: string;
  isAdmin: boolean;
}

export interface ListQuery {
  viewer: Viewer;
  visibility?: Visibility | "all";
  memberStatus: string;
  /** Equality filters on base columns (name, status, owner, disk_format, container_format, id, …). */
  columns: Record<string, string | number | boolean | string[]>;
  /** Comparison filters: [column, SQL operator, value]. */
  ranges: Array<[string, "<" | "<=" | ">" | ">=" | "=" | "!=", string | number]>;
  properties: Record<string, string>;
  tags: string[];
  osHidden: boolean;
  sort: Array<[string, "asc" | "desc"]>;
  limit: number;
  marker?: Image;
}

const now = () => new Date().toISOString();

/**
 * The glance database behind the API: every SQL statement lives here. Status changes that race
 * (two uploads, an upload and a delete) are compare-and-swap updates (`WHERE status IN (…)`), like
 * Glance's `image_update(from_state=…)`, so exactly one request wins.
 */
export class ImageRepository {
  constructor(private readonly db: Db) {}

  /**
   * List views (JSON text) by image id. Every write to an image's row, tags or properties is a method of
   * this class and drops the image's entry first; glance-api is the only process writing glance.sqlite.
   */
  private readonly views = new Map<string, string>();
  private static readonly MAX_CACHED_VIEWS = 20_000;
  private forget(id: string): void {
    this.views.delete(id);
  }

  /** Statements by SQL text: a list is one of a few shapes, and preparing each time cost more than running it. */
  private readonly statements = new Map<string, Statement<unknown[]>>();
  private prepared(sql: string): Statement<unknown[]> {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      if (this.statements.size >= 200) this.statements.clear();
      stmt = this.db.prepare(sql);
      this.statements.set(sql, stmt);
    }
    return stmt;
  }

  create(image: Omit<Image, "created_at" | "updated_at">): Image {
    const t = now();
    this.forget(image.id);
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO images (id, name, size, virtual_size, status, visibility, disk_format, container_format, checksum,
             os_hash_algo, os_hash_value, owner, min_disk, min_ram, protected, os_hidden, created_at, updated_at)
           VALUES (@id, @name, @size, @virtual_size, @status, @visibility, @disk_format, @container_format, @checksum,
             @os_hash_algo, @os_hash_value, @owner, @min_disk, @min_ram, @protected, @os_hidden, @t, @t)`,
        )
        .run({ ...image, protected: image.protected ? 1 : 0, os_hidden: image.os_hidden ? 1 : 0, t });
      this.writeProperties(image.id, image.properties, t);
      for (const tag of new Set(image.tags))
        this.db.prepare("INSERT INTO image_tags (image_id, value, created_at) VALUES (?, ?, ?)").run(image.id, tag, t);
    })();
    return this.get(image.id) as Image;
  }

  /** Whether an id was ever used (deleted images keep theirs). */
  exists(id: string): boolean {
    return this.db.prepare("SELECT 1 FROM images WHERE id = ?").get(id) !== undefined;
  }

  get(id: string): Image | undefined {
    const row = this.db.prepare("SELECT * FROM images WHERE id = ? AND deleted = 0").get(id) as ImageRow | undefined;
    return row ? this.hydrate([row])[0] : undefined;
  }

  /** Whether the viewer may see the image at all (Glance's is_image_visible). */
  visibleTo(image: Image, viewer: Viewer): boolean {
    if (viewer.isAdmin) return true;
    if (image.visibility === "public" || image.visibility === "community") return true;
    if (viewer.projectId && image.owner === viewer.projectId) return true;
    return image.visibility === "shared" && viewer.projectId !== undefined && this.getMember(image.id, viewer.projectId) !== undefined;
  }

  /**
   * Replace base columns, set and remove properties, replace tags, in one transaction. With
   * `fromStatus`, only while the image is still in one of those statuses (else returns undefined).
   */
  update(
    id: string,
    changes: ImageChanges & DataChanges,
    opts: { setProperties?: Record<string, string>; removeProperties?: string[]; tags?: string[]; fromStatus?: readonly string[] } = {},
  ): Image | undefined {
    const t = now();
    this.forget(id);
    const ok = this.db.transaction(() => {
      const cols = Object.keys(changes);
      const values: Record<string, unknown> = { id, t };
      for (const c of cols) {
        const v = (changes as Record<string, unknown>)[c];
        values[c] = typeof v === "boolean" ? (v ? 1 : 0) : v;
      }
      const set = [...cols.map((c) => `${c} = @${c}`), "updated_at = @t"].join(", ");
      let where = "id = @id AND deleted = 0";
      if (opts.fromStatus) {
        where += ` AND status IN (${opts.fromStatus.map((_, i) => `@from${i}`).join(", ")})`;
        opts.fromStatus.forEach((s, i) => {
          values[`from${i}`] = s;
        });
      }
      if (this.db.prepare(`UPDATE images SET ${set} WHERE ${where}`).run(values).changes === 0) return false;
      if (opts.setProperties) this.writeProperties(id, opts.setProperties, t);
      for (const name of opts.removeProperties ?? [])
        this.db.prepare("DELETE FROM image_properties WHERE image_id = ? AND name = ?").run(id, name);
      if (opts.tags) {
        this.db.prepare("DELETE FROM image_tags WHERE image_id = ?").run(id);
        for (const tag of new Set(opts.tags))
          this.db.prepare("INSERT INTO image_tags (image_id, value, created_at) VALUES (?, ?, ?)").run(id, tag, t);
      }
      return true;
    })();
    return ok ? this.get(id) : undefined;
  }

  /** Soft-delete (status deleted, deleted = 1); false when it was already gone. */
  delete(id: string): boolean {
    const t = now();
    this.forget(id);
    return (
      this.db
        .prepare("UPDATE images SET status = 'deleted', deleted = 1, deleted_at = ?, updated_at = ? WHERE id = ? AND deleted = 0")
        .run(t, t, id).changes > 0
    );
  }

  addTag(id: string, tag: string): void {
    const t = now();
    this.forget(id);
    this.db.transaction(() => {
      this.db.prepare("INSERT OR IGNORE INTO image_tags (image_id, value, created_at) VALUES (?, ?, ?)").run(id, tag, t);
      this.db.prepare("UPDATE images SET updated_at = ? WHERE id = ?").run(t, id);
    })();
  }

  removeTag(id: string, tag: string): boolean {
    const t = now();
    this.forget(id);
    return this.db.transaction(() => {
      const gone = this.db.prepare("DELETE FROM image_tags WHERE image_id = ? AND value = ?").run(id, tag).changes > 0;
      if (gone) this.db.prepare("UPDATE images SET updated_at = ? WHERE id = ?").run(t, id);
      return gone;
    })();
  }

  /** The FROM … LIMIT ? tail of a list statement and its arguments (the limit last). */
  private listTail(q: ListQuery): { tail: string; args: unknown[] } {
    const where: string[] = ["i.deleted = 0"];
    const args: unknown[] = [];
    const memberJoin = (status: string) => {
      const cond = status === "all" ? "" : " AND m.status = ?";
      if (status !== "all") args.push(status);
      return `EXISTS (SELECT 1 FROM image_members m WHERE m.image_id = i.id AND m.member = ?${cond})`;
    };
    const { viewer } = q;
    // Who sees what (Glance's _select_images_query): admins see everything; others see public and
    // community images, their own, and shared images their project is a member of (by member_status).
    if (!viewer.isAdmin) {
      const own = viewer.projectId ? "+i.owner = ?" : "0";
      if (viewer.projectId) args.push(viewer.projectId);
      let member = "0";
      if (viewer.projectId) {
        args.push(viewer.projectId);
        member = `(i.visibility = 'shared' AND ${memberJoin(q.memberStatus)})`;
      }
      // Unary + keeps these terms from picking an index: a multi-index OR collects every visible image and
      // sorts them all, where walking ix_images_created_at in order stops after one page.
      where.push(`(+i.visibility IN ('public', 'community') OR ${own} OR ${member})`);
    }
    if (q.visibility && q.visibility !== "all") {
      where.push("i.visibility = ?");
      args.push(q.visibility);
    } else if (!q.visibility) {
      // Without a visibility filter, community images appear only to their owner.
      if (viewer.projectId) {
        where.push("(i.visibility != 'community' OR i.owner = ?)");
        args.push(viewer.projectId);
      } else where.push("i.visibility != 'community'");
    }
    if (!q.osHidden) where.push("i.os_hidden = 0");
    for (const [col, value] of Object.entries(q.columns)) {
      if (Array.isArray(value)) {
        where.push(`i.${col} IN (${value.map(() => "?").join(", ")})`);
        args.push(...value);
      } else {
        where.push(`i.${col} = ?`);
        args.push(typeof value === "boolean" ? (value ? 1 : 0) : value);
      }
    }
    for (const [col, op, value] of q.ranges) {
      where.push(`i.${col} ${op} ?`);
      args.push(value);
    }
    for (const [name, value] of Object.entries(q.properties)) {
      where.push("EXISTS (SELECT 1 FROM image_properties p WHERE p.image_id = i.id AND p.name = ? AND p.value = ?)");
      args.push(name, value);
    }
    for (const tag of q.tags) {
      where.push("EXISTS (SELECT 1 FROM image_tags t WHERE t.image_id = i.id AND t.value = ?)");
      args.push(tag);
    }
    // Sort keys, then created_at and id as tie-breakers in the default direction (Glance's image_get_all).
    const sort = [...q.sort];
    const defaultDir = sort[0]?.[1] ?? "desc";
    for (const k of ["created_at", "id"]) if (!sort.some(([s]) => s === k)) sort.push([k, defaultDir]);
    if (q.marker) {
      const { clause, values } = afterMarker(sort, q.marker);
      where.push(clause);
      args.push(...values);
    }
    const order = sort.map(([k, d]) => `${nullsSortKey(k, d)} i.${k} ${d.toUpperCase()}`).join(", ");
    return { tail: `FROM images i WHERE ${where.join(" AND ")} ORDER BY ${order} LIMIT ?`, args: [...args, q.limit] };
  }

  list(q: ListQuery): Image[] {
    const { tail, args } = this.listTail(q);
    return this.hydrate(this.prepared(`SELECT i.* ${tail}`).all(...args) as ImageRow[]);
  }

  /**
   * The same page as `list`, each image as its API view (JSON text), rendered by SQLite the first time and
   * then kept until the image changes: for a 1,000-image page, building row objects, views and JSON in
   * JavaScript cost several times the query. The page's ids come first, so only what is shown is rendered.
   */
  listViews(q: ListQuery): Array<[id: string, view: string]> {
    const { tail, args } = this.listTail(q);
    const ids = this.prepared(`SELECT i.id ${tail}`)
      .pluck(true)
      .all(...args) as string[];
    const missing = ids.filter((id) => !this.views.has(id));
    if (missing.length > 0) {
      if (this.views.size + missing.length > ImageRepository.MAX_CACHED_VIEWS) this.views.clear();
      const rows = this.prepared(`SELECT i.id, ${IMAGE_VIEW_SQL} FROM images i WHERE i.id IN (SELECT value FROM json_each(?))`)
        .raw(true)
        .all(JSON.stringify(missing)) as Array<[string, string]>;
      for (const [id, view] of rows) this.views.set(id, view);
    }
    return ids.map((id) => [id, this.views.get(id) as string]);
  }

  // --- members

  getMember(imageId: string, member: string): ImageMember | undefined {
    return this.db
      .prepare("SELECT image_id, member, status, created_at, updated_at FROM image_members WHERE image_id = ? AND member = ?")
      .get(imageId, member) as ImageMember | undefined;
  }

  listMembers(imageId: string): ImageMember[] {
    return this.db
      .prepare("SELECT image_id, member, status, created_at, updated_at FROM image_members WHERE image_id = ? ORDER BY id")
      .all(imageId) as ImageMember[];
  }

  countMembers(imageId: string): number {
    return (this.db.prepare("SELECT COUNT(*) AS n FROM image_members WHERE image_id = ?").get(imageId) as { n: number }).n;
  }

  /** Adds a pending member; undefined when the project already is one (the unique key decides races). */
  addMember(imageId: string, member: string): ImageMember | undefined {
    const t = now();
    const r = this.db
      .prepare("INSERT OR IGNORE INTO image_members (image_id, member, status, created_at, updated_at) VALUES (?, ?, 'pending', ?, ?)")
      .run(imageId, member, t, t);
    return r.changes > 0 ? this.getMember(imageId, member) : undefined;
  }

  setMemberStatus(imageId: string, member: string, status: string): ImageMember | undefined {
    this.db
      .prepare("UPDATE image_members SET status = ?, updated_at = ? WHERE image_id = ? AND member = ?")
      .run(status, now(), imageId, member);
    return this.getMember(imageId, member);
  }

  removeMember(imageId: string, member: string): boolean {
    return this.db.prepare("DELETE FROM image_members WHERE image_id = ? AND member = ?").run(imageId, member).changes > 0;
  }

  // --- internals

  private writeProperties(id: string, props: Record<string, string>, t: string): void {
    const stmt = this.db.prepare(
      `INSERT INTO image_properties (image_id, name, value, created_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (image_id, name) DO UPDATE SET value = excluded.value, updated_at = excluded.created_at`,
    );
    for (const [name, value] of Object.entries(props)) stmt.run(id, name, value, t);
  }

  private hydrate(rows: ImageRow[]): Image[] {
    if (rows.length === 0) return [];
    // One statement whatever the page size: the ids go in as one JSON array.
    const ids = JSON.stringify(rows.map((r) => r.id));
    const props = this.prepared(
      "SELECT image_id, name, value FROM image_properties WHERE image_id IN (SELECT value FROM json_each(?)) ORDER BY name",
    ).all(ids) as Array<{ image_id: string; name: string; value: string }>;
    const tags = this.prepared("SELECT image_id, value FROM image_tags WHERE image_id IN (SELECT value FROM json_each(?)) ORDER BY id").all(
      ids,
    ) as Array<{ image_id: string; value: string }>;
    // Grouped once by image (a list of 1,000 images must not scan every tag once per image).
    const tagsOf = new Map<string, string[]>();
    for (const t of tags) {
      const list = tagsOf.get(t.image_id);
      if (list) list.push(t.value);
      else tagsOf.set(t.image_id, [t.value]);
    }
    const propsOf = new Map<string, Record<string, string>>();
    for (const p of props) {
      const record = propsOf.get(p.image_id);
      if (record) record[p.name] = p.value;
      else propsOf.set(p.image_id, { [p.name]: p.value });
    }
    return rows.map((r) => ({
      ...r,
      protected: r.protected === 1,
      os_hidden: r.os_hidden === 1,
      tags: tagsOf.get(r.id) ?? [],
      properties: propsOf.get(r.id) ?? {},
    }));
  }
}

/** Columns that are never NULL: sorting them needs no NULL key, which lets SQLite walk an index. */
const NOT_NULL = new Set(["id", "status", "visibility", "min_disk", "min_ram", "protected", "os_hidden", "created_at"]);

/** NULLs sort as the smallest values (as in MySQL, Glance's usual database). */
function nullsSortKey(k: string, d: string): string {
  return NOT_NULL.has(k) ? "" : `i.${k} IS NOT NULL ${d === "asc" ? "ASC" : "DESC"},`;
}

/**
 * The rows strictly after the marker in the sort order (oslo.db's paginate_query): for keys k1..kn,
 * (k1 beyond m1) or (k1 = m1 and k2 beyond m2) or … NULLs count as smallest.
 */
function afterMarker(sort: Array<[string, "asc" | "desc"]>, marker: Image): { clause: string; values: unknown[] } {
  const ors: string[] = [];
  const values: unknown[] = [];
  const value = (k: string) => {
    const v = (marker as unknown as Record<string, unknown>)[k];
    return typeof v === "boolean" ? (v ? 1 : 0) : (v ?? null);
  };
  for (let i = 0; i < sort.length; i++) {
    const ands: string[] = [];
    for (let j = 0; j < i; j++) {
      const [k] = sort[j] as [string, string];
      ands.push(`i.${k} IS ?`);
      values.push(value(k));
    }
    const [k, dir] = sort[i] as [string, string];
    const v = value(k);
    if (v === null) {
      // Beyond NULL: ascending means any non-NULL value; descending, nothing is smaller.
      ands.push(dir === "asc" ? `i.${k} IS NOT NULL` : "0");
    } else {
      ands.push(dir === "asc" ? `i.${k} > ?` : `(i.${k} < ? OR i.${k} IS NULL)`);
      values.push(v);
    }
    ors.push(`(${ands.join(" AND ")})`);
  }
  return { clause: `(${ors.join(" OR ")})`, values };
}
