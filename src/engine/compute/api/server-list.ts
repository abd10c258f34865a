import type { RequestContext } from "../../common/context.js";
import type { Db } from "../../common/db/database.js";
import { HttpError } from "../../common/http/errors.js";
import type { HttpRequest } from "../../common/http/types.js";
import type { CellMapping } from "../cells/mappings.js";
import { stmt } from "../../common/db/statements.js";
import { getBuildRequest, listBuildRequests } from "../objects/build-requests.js";
import type { Instance } from "../objects/instance.js";
import { atLeast } from "./microversion.js";
import type { NovaApi } from "./nova-api.js";

// GET /servers and /servers/detail, the part before the views: Nova's filters, sort keys and marker
// pagination, done in SQL in each cell (only a page plus one row comes back from each), build requests
// from nova_api alongside, and a merge sort of the two, as Nova's multi-cell instance lister does.

const truthy = (v: unknown) => v === true || (typeof v === "string" && /^(true|1|yes|on)$/i.test(v));

/** vm_states a `status` filter means (the reverse of the state map). */
const STATUS_TO_VM: Record<string, string[]> = {
  ACTIVE: ["active"],
  BUILD: ["building"],
  SHUTOFF: ["stopped"],
  PAUSED: ["paused"],
  SUSPENDED: ["suspended"],
  ERROR: ["error"],
  DELETED: ["deleted"],
  VERIFY_RESIZE: ["resized"],
  RESCUE: ["rescued"],
  SHELVED: ["shelved"],
  SHELVED_OFFLOADED: ["shelved_offloaded"],
  SOFT_DELETED: ["soft-delete"],
  REBOOT: ["active"],
  HARD_REBOOT: ["active"],
  REBUILD: ["active", "stopped", "error"],
  RESIZE: ["active", "stopped"],
  MIGRATING: ["active"],
};

type SortValue = string | number;

/** How each sort key Nova accepts is read: its SQL expression (NULL as '' or -1) and the same from an Instance. */
interface SortKey {
  sql: string;
  of: (i: Instance) => SortValue;
}
const text = (column: string, field = column): SortKey => ({
  sql: `ifnull(${column}, '')`,
  of: (i) => {
    const v = (i as unknown as Record<string, unknown>)[field];
    return v === null || v === undefined ? "" : String(v);
  },
});
const int = (column: string): SortKey => ({
  sql: `ifnull(${column}, -1)`,
  of: (i) => {
    const v = (i as unknown as Record<string, unknown>)[column];
    return v === null || v === undefined ? -1 : Number(v);
  },
});
/** Keys Nova accepts that pocketstack keeps no column for (kernel, ramdisk, disk config): all equal. */
const none: SortKey = { sql: "''", of: () => "" };

const SORT_KEYS: Record<string, SortKey> = {
  access_ip_v4: text("access_ip_v4"),
  access_ip_v6: text("access_ip_v6"),
  auto_disk_config: none,
  availability_zone: text("availability_zone"),
  config_drive: text("config_drive"),
  created_at: text("created_at"),
  display_description: text("display_description"),
  display_name: text("display_name"),
  host: text("host"),
  hostname: text("hostname"),
  image_ref: text("image_ref"),
  instance_type_id: { sql: "ifnull(json_extract(flavor, '$.flavorid'), '')", of: (i) => String(i.flavor?.flavorid ?? "") },
  kernel_id: none,
  key_name: text("key_name"),
  launch_index: int("launch_index"),
  launched_at: text("launched_at"),
  locked_by: text("locked_by"),
  node: text("node"),
  power_state: int("power_state"),
  progress: int("progress"),
  project_id: text("project_id"),
  ramdisk_id: none,
  root_device_name: text("root_device_name"),
  task_state: text("task_state"),
  terminated_at: text("terminated_at"),
  updated_at: text("updated_at"),
  user_id: text("user_id"),
  uuid: text("uuid"),
  vm_state: text("vm_state"),
  locked: int("locked"),
};
/** A build request has no id yet: after every instance of a cell when ids tie. */
const BUILD_REQUEST_ID = 1e12;
const ID_KEY: SortKey = { sql: "id", of: (i) => i.id ?? BUILD_REQUEST_ID };

/** Valid before schema validation but bad: ignored (until 2.75, where they are refused). */
const IGNORED_SORT_KEYS = [
  "architecture",
  "cell_name",
  "cleaned",
  "default_ephemeral_device",
  "default_swap_device",
  "deleted",
  "deleted_at",
  "disable_terminate",
  "ephemeral_gb",
  "ephemeral_key_uuid",
  "id",
  "key_data",
  "launched_on",
  "locked",
  "memory_mb",
  "os_type",
  "reservation_id",
  "root_gb",
  "shutdown_terminate",
  "user_data",
  "vcpus",
  "vm_mode",
];
const VALID_SORT_KEYS = Object.keys(SORT_KEYS).filter((k) => k !== "locked");

/** The sort keys a microversion accepts, and those it silently drops (nova's VALID_SORT_KEYS*). */
function sortKeysFor(req: HttpRequest): { valid: string[]; ignored: string[] } {
  if (atLeast(req, 75)) return { valid: ["locked", ...VALID_SORT_KEYS], ignored: [] };
  if (atLeast(req, 73)) {
    const ignored = IGNORED_SORT_KEYS.filter((k) => k !== "locked");
    return { valid: ["locked", ...VALID_SORT_KEYS, ...ignored], ignored };
  }
  return { valid: [...VALID_SORT_KEYS, ...IGNORED_SORT_KEYS], ignored: IGNORED_SORT_KEYS };
}

const pyList = (xs: string[]) => `[${xs.map((x) => `'${x}'`).join(", ")}]`;

interface Sort {
  key: SortKey;
  /** 1 ascending, -1 descending. */
  dir: 1 | -1;
}

/**
 * get_sort_params + remove_invalid_sort_keys + process_sort_params: the keys asked for (created_at desc
 * by default), then created_at and id appended in the first direction, as Nova's database layer does.
 */
function parseSort(req: HttpRequest, admin: boolean): Sort[] {
  const q = req.query;
  const { valid, ignored } = sortKeysFor(req);
  const keys = q.getAll("sort_key").map((k) => k.trim());
  const dirs = q.getAll("sort_dir").map((d) => d.trim());
  for (const k of keys)
    if (!valid.includes(k))
      throw new HttpError(400, `Invalid input for query parameters sort_key. Value: ${k}. '${k}' is not one of ${pyList(valid)}`);
  if (keys.length === 0) keys.push("created_at");
  if (dirs.length === 0) dirs.push("desc");
  for (const k of [...keys]) {
    if (ignored.includes(k)) {
      const at = keys.indexOf(k);
      if (dirs.length > at) dirs.splice(at, 1);
      keys.splice(at, 1);
    } else if ((k === "host" || k === "node") && !admin) throw new HttpError(403, `Only administrators can sort servers by ${k}`);
  }
  for (const d of dirs)
    if (d !== "asc" && d !== "desc") throw new HttpError(400, "Invalid input received: Unknown sort direction, must be 'desc' or 'asc'");
  if (dirs.length > keys.length) throw new HttpError(400, "Invalid input received: Sort direction size exceeds sort key size");
  const first = dirs[0] ?? "desc";
  while (dirs.length < keys.length) dirs.push(first);
  for (const k of ["created_at", "id"])
    if (!keys.includes(k)) {
      keys.push(k);
      dirs.push(first);
    }
  return keys.map((k, i) => ({ key: k === "id" ? ID_KEY : (SORT_KEYS[k] as SortKey), dir: dirs[i] === "asc" ? 1 : -1 }));
}

/** SQLite's order: numbers before text, text by bytes. */
function compareValues(a: SortValue, b: SortValue): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "number") return -1;
  if (typeof b === "number") return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareTuples(a: SortValue[], b: SortValue[], sort: Sort[]): number {
  for (let i = 0; i < sort.length; i++) {
    const c = compareValues(a[i] as SortValue, b[i] as SortValue);
    if (c !== 0) return c * (sort[i] as Sort).dir;
  }
  return 0;
}

/** One server of a page, before its view is built. */
export interface ListedServer {
  uuid: string;
  display_name: string | null;
  cell: CellMapping | null;
  db: Db | null;
  /** Changes with anything of the row the detail view shows (every save moves updated_at). */
  sig: string;
  /** Still a build request: the instance as nova_api keeps it. */
  buildRequest?: { instance: Instance; tags: string[] };
  sortValues: SortValue[];
}

export interface ServerPage {
  servers: ListedServer[];
  /** Whether more servers follow this page. */
  more: boolean;
  limit: number;
}

/** The SQL the signature of a row is computed with, and the same computed from a row in JS. */
export const ROW_SIG_SQL =
  "ifnull(updated_at, '') || '|' || created_at || '|' || deleted || '|' || ifnull(vm_state, '') || '|' || ifnull(task_state, '')";
export const rowSig = (r: { updated_at: unknown; created_at: unknown; deleted: unknown; vm_state: unknown; task_state: unknown }) =>
  `${r.updated_at ?? ""}|${r.created_at}|${r.deleted}|${r.vm_state ?? ""}|${r.task_state ?? ""}`;

interface Filters {
  where: string[];
  args: unknown[];
  /** The same filters over a build request (they live in nova_api as JSON). */
  matches: (i: Instance, tags: string[]) => boolean;
  includeBuildRequests: boolean;
  /** The project listed (undefined: every project, for an admin's all_tenants). */
  project: string | undefined;
}

const list = (v: string | null) => (v === null ? undefined : v.split(",").filter(Boolean));

/** Nova's server list filters, as SQL over a cell's instances and as a predicate over build requests. */
function parseFilters(req: HttpRequest, ctx: RequestContext, admin: boolean, allTenants: boolean): Filters | "none" {
  const q = req.query;
  const where: string[] = [];
  const args: unknown[] = [];
  const checks: Array<(i: Instance, tags: string[]) => boolean> = [];
  const project = allTenants ? (q.get("project_id") ?? q.get("tenant_id") ?? undefined) : ctx.project_id;
  if (project) {
    where.push("project_id = ?");
    args.push(project);
    checks.push((i) => i.project_id === project);
  }
  const since = q.get("changes-since") ?? q.get("changes_since");
  if (!(admin && truthy(q.get("deleted"))) && !since) where.push("deleted = 0");
  if (since) {
    where.push("updated_at >= ?");
    args.push(since.replace("Z", ""));
  }
  const host = admin ? q.get("host") : null;
  if (host) {
    where.push("host = ?");
    args.push(host);
    checks.push((i) => i.host === host);
  }
  const status = q.get("status")?.toUpperCase();
  if (status) {
    const states = STATUS_TO_VM[status];
    if (!states) {
      // Nova: an unknown status is an empty list for users, a 400 for admins.
      if (!admin) return "none";
      throw new HttpError(400, "Invalid status value");
    }
    where.push(`vm_state IN (${states.map(() => "?").join(",")})`);
    args.push(...states);
    checks.push((i) => states.includes(i.vm_state ?? ""));
  }
  for (const [param, column] of [
    ["image", "image_ref"],
    ["availability_zone", "availability_zone"],
  ] as const) {
    const v = q.get(param);
    if (v) {
      where.push(`${column} = ?`);
      args.push(v);
      checks.push((i) => i[column] === v);
    }
  }
  if (atLeast(req, 73) && q.get("locked") !== null) {
    const locked = truthy(q.get("locked"));
    where.push("locked = ?");
    args.push(locked ? 1 : 0);
    checks.push((i) => !!i.locked === locked);
  }
  const name = q.get("name");
  if (name) {
    let re: RegExp;
    try {
      re = new RegExp(name);
    } catch {
      throw new HttpError(400, `Invalid regular expression for name: ${name}`);
    }
    where.push("ifnull(display_name, '') REGEXP ?");
    args.push(name);
    checks.push((i) => re.test(i.display_name ?? ""));
  }
  const flavor = q.get("flavor");
  if (flavor) {
    where.push("json_extract(flavor, '$.flavorid') = ?");
    args.push(flavor);
    checks.push((i) => i.flavor.flavorid === flavor);
  }
  const hasTag = "EXISTS (SELECT 1 FROM tags t WHERE t.resource_id = instances.uuid AND t.tag = ?)";
  const marks = (xs: string[]) => xs.map(() => "?").join(",");
  const tags = list(q.get("tags"));
  if (tags?.length) {
    for (const t of tags) {
      where.push(hasTag);
      args.push(t);
    }
    checks.push((_, ts) => tags.every((t) => ts.includes(t)));
  }
  const tagsAny = list(q.get("tags-any"));
  if (tagsAny?.length) {
    where.push(`EXISTS (SELECT 1 FROM tags t WHERE t.resource_id = instances.uuid AND t.tag IN (${marks(tagsAny)}))`);
    args.push(...tagsAny);
    checks.push((_, ts) => tagsAny.some((t) => ts.includes(t)));
  }
  const notTags = list(q.get("not-tags"));
  if (notTags?.length) {
    const distinct = [...new Set(notTags)];
    where.push(`(SELECT count(DISTINCT t.tag) FROM tags t WHERE t.resource_id = instances.uuid AND t.tag IN (${marks(distinct)})) < ?`);
    args.push(...distinct, distinct.length);
    checks.push((_, ts) => !distinct.every((t) => ts.includes(t)));
  }
  const notTagsAny = list(q.get("not-tags-any"));
  if (notTagsAny?.length) {
    where.push(`NOT EXISTS (SELECT 1 FROM tags t WHERE t.resource_id = instances.uuid AND t.tag IN (${marks(notTagsAny)}))`);
    args.push(...notTagsAny);
    checks.push((_, ts) => !notTagsAny.some((t) => ts.includes(t)));
  }
  return {
    where,
    args,
    matches: (i, ts) => checks.every((c) => c(i, ts)),
    // Build requests are never deleted nor changed since a time; they are all BUILD.
    includeBuildRequests: !since && (!status || status === "BUILD"),
    project,
  };
}

/** The sort values of the marker server, wherever it is (a cell, deleted or not, or a build request). */
function markerValues(api: NovaApi, marker: string, sort: Sort[]): SortValue[] {
  const sql = `SELECT ${sort.map((s, i) => `${s.key.sql} AS k${i}`).join(", ")} FROM instances WHERE uuid = ?`;
  for (const cell of api.cells.list()) {
    const row = stmt(api.cells.db(cell), sql).raw().get(marker) as SortValue[] | undefined;
    if (row) return row;
  }
  const br = getBuildRequest(api.apiDb, marker);
  if (br) return sort.map((s) => s.key.of(br.instance));
  throw new HttpError(400, `marker [${marker}] not found`);
}

/** After the marker in this order: (k0 > m0) OR (k0 = m0 AND k1 > m1) OR … (< for descending keys). */
function afterMarkerSql(sort: Sort[], values: SortValue[]): { sql: string; args: SortValue[] } {
  const ors: string[] = [];
  const args: SortValue[] = [];
  for (let j = 0; j < sort.length; j++) {
    const ands: string[] = [];
    for (let i = 0; i < j; i++) {
      ands.push(`${(sort[i] as Sort).key.sql} = ?`);
      args.push(values[i] as SortValue);
    }
    ands.push(`${(sort[j] as Sort).key.sql} ${(sort[j] as Sort).dir === 1 ? ">" : "<"} ?`);
    args.push(values[j] as SortValue);
    ors.push(`(${ands.join(" AND ")})`);
  }
  return { sql: `(${ors.join(" OR ")})`, args };
}

/** Parse the list request and read one page of servers from the cells and the build requests. */
export function listServerPage(api: NovaApi, req: HttpRequest, ctx: RequestContext, admin: boolean, allTenants: boolean): ServerPage {
  const q = req.query;
  const maxLimit = api.config.int("api", "max_limit");
  const limitRaw = q.get("limit");
  if (limitRaw !== null && !/^\d+$/.test(limitRaw)) throw new HttpError(400, "limit param must be an integer");
  const limit = Math.min(limitRaw === null ? maxLimit : Number(limitRaw), maxLimit);
  const filters = parseFilters(req, ctx, admin, allTenants);
  const sort = parseSort(req, admin);
  if (filters === "none" || limit === 0) return { servers: [], more: false, limit };
  const marker = q.get("marker");
  const after = marker ? markerValues(api, marker, sort) : undefined;

  const where = [...filters.where];
  const args: unknown[] = [...filters.args];
  if (after) {
    const cond = afterMarkerSql(sort, after);
    where.push(cond.sql);
    args.push(...cond.args);
  }
  const sortCols = sort.map((s, i) => `${s.key.sql} AS k${i}`).join(", ");
  const orderBy = sort.map((s, i) => `k${i} ${s.dir === 1 ? "ASC" : "DESC"}`).join(", ");
  const sql = `SELECT uuid, display_name, ${ROW_SIG_SQL} AS sig, ${sortCols} FROM instances${where.length ? ` WHERE ${where.join(" AND ")}` : ""} ORDER BY ${orderBy} LIMIT ?`;

  const found: ListedServer[] = [];
  let sources = 0;
  for (const cell of api.cells.list()) {
    const db = api.cells.db(cell);
    // Rows as arrays (uuid, display_name, sig, k0, k1, …): a page of 1,000 builds no objects here.
    const rows = stmt(db, sql)
      .raw()
      .all(...args, limit + 1) as unknown[][];
    if (rows.length) sources++;
    for (const r of rows)
      found.push({
        uuid: r[0] as string,
        display_name: r[1] as string | null,
        cell,
        db,
        sig: r[2] as string,
        sortValues: r.slice(3) as SortValue[],
      });
  }
  if (filters.includeBuildRequests) {
    const brs = listBuildRequests(api.apiDb, filters.project);
    // A build request whose instance reached a cell a moment ago is listed once, from the cell.
    const inCells = new Set<string>();
    if (brs.length)
      for (const cell of api.cells.list())
        for (const uuid of stmt(api.cells.db(cell), "SELECT uuid FROM instances WHERE uuid IN (SELECT value FROM json_each(?))")
          .pluck()
          .all(JSON.stringify(brs.map((b) => b.instance.uuid))) as string[])
          inCells.add(uuid);
    for (const br of brs) {
      if (inCells.has(br.instance.uuid) || !filters.matches(br.instance, br.tags)) continue;
      const sortValues = sort.map((s) => s.key.of(br.instance));
      if (after && compareTuples(sortValues, after, sort) <= 0) continue;
      found.push({
        uuid: br.instance.uuid,
        display_name: br.instance.display_name,
        cell: null,
        db: null,
        sig: "",
        buildRequest: br,
        sortValues,
      });
      sources++;
    }
  }
  // One source comes sorted from SQL; several are merged in the same order.
  if (sources > 1) found.sort((a, b) => compareTuples(a.sortValues, b.sortValues, sort));
  return { servers: found.slice(0, limit), more: found.length > limit, limit };
}

/** The page's tags, one query per cell: uuid → sorted tags. */
export function tagsOfPage(page: ListedServer[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const byDb = new Map<Db, string[]>();
  for (const s of page) {
    if (s.buildRequest) out.set(s.uuid, [...s.buildRequest.tags].sort());
    else if (s.db) {
      const uuids = byDb.get(s.db);
      if (uuids) uuids.push(s.uuid);
      else byDb.set(s.db, [s.uuid]);
    }
  }
  for (const [db, uuids] of byDb) {
    // Most clouds tag nothing: then there is nothing to look up for a page of 1,000.
    if (!stmt(db, "SELECT EXISTS (SELECT 1 FROM tags) AS any_tag").pluck().get()) continue;
    const rows = stmt(db, "SELECT resource_id, tag FROM tags WHERE resource_id IN (SELECT value FROM json_each(?)) ORDER BY tag").all(
      JSON.stringify(uuids),
    ) as Array<{
      resource_id: string;
      tag: string;
    }>;
    for (const r of rows) {
      const ts = out.get(r.resource_id);
      if (ts) ts.push(r.tag);
      else out.set(r.resource_id, [r.tag]);
    }
  }
  return out;
}
