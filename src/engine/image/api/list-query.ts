import { badRequest } from "../errors.js";
import { type ListQuery, MEMBER_STATUSES, VISIBILITIES, type Viewer } from "../repository.js";
import { CONTAINER_FORMATS, DISK_FORMATS } from "../schemas.js";

/** Keys an image list may be sorted by (Glance's images.py). */
export const SORT_KEYS = ["name", "status", "container_format", "disk_format", "size", "id", "created_at", "updated_at"];
const FILTER_COLUMNS = ["name", "status", "owner", "disk_format", "container_format", "id"];
const TIME_COLUMNS = ["created_at", "updated_at"];
const OPERATORS: Record<string, "<" | "<=" | ">" | ">=" | "=" | "!="> = { gt: ">", gte: ">=", lt: "<", lte: "<=", eq: "=", neq: "!=" };
/** Query parameters that are not property filters. */
const RESERVED = new Set([
  "limit",
  "marker",
  "sort",
  "sort_key",
  "sort_dir",
  "visibility",
  "member_status",
  "tag",
  "size_min",
  "size_max",
  "protected",
  "os_hidden",
  ...FILTER_COLUMNS,
  ...TIME_COLUMNS,
]);

export interface ParsedList {
  query: Omit<ListQuery, "viewer" | "marker">;
  marker?: string;
}

/** Glance's `in:` list syntax: comma separated, items optionally double-quoted. */
function inList(raw: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  for (const ch of raw) {
    if (ch === '"') quoted = !quoted;
    else if (ch === "," && !quoted) {
      out.push(cur.trim());
      cur = "";
    } else cur += ch;
  }
  out.push(cur.trim());
  return out;
}

function bool(name: string, raw: string): boolean {
  const v = raw.toLowerCase();
  if (v === "true") return true;
  if (v === "false") return false;
  throw badRequest(`Invalid value '${raw}' for '${name}' filter. Valid values are 'true' or 'false'.`);
}

function isoTime(raw: string): string {
  const t = Date.parse(raw);
  if (Number.isNaN(t)) throw badRequest(`Invalid time format for ${raw}.`);
  return new Date(t).toISOString();
}

/** `GET /v2/images?…` → what the repository runs; bad parameters are Glance's 400s. */
export function parseListQuery(params: URLSearchParams, limits: { limitParamDefault: number; apiLimitMax: number }): ParsedList {
  let limit = limits.limitParamDefault;
  const rawLimit = params.get("limit");
  if (rawLimit !== null) {
    if (!/^-?\d+$/.test(rawLimit.trim())) throw badRequest("limit param must be an integer");
    limit = Number(rawLimit);
    if (limit < 0) throw badRequest("limit param must be positive");
  }
  limit = Math.min(limit, limits.apiLimitMax);

  const sort = parseSort(params);

  const visibility = params.get("visibility") ?? undefined;
  if (visibility !== undefined && visibility !== "all" && !(VISIBILITIES as readonly string[]).includes(visibility))
    throw badRequest(`Invalid visibility value: ${visibility}`);
  const memberStatus = params.get("member_status") ?? "accepted";
  if (memberStatus !== "all" && !(MEMBER_STATUSES as readonly string[]).includes(memberStatus))
    throw badRequest(`Invalid status value: ${memberStatus}`);

  const columns: ListQuery["columns"] = {};
  const ranges: ListQuery["ranges"] = [];
  for (const col of FILTER_COLUMNS) {
    const raw = params.get(col);
    if (raw === null) continue;
    if (raw.startsWith("in:")) columns[col] = inList(raw.slice(3));
    else columns[col] = raw;
  }
  for (const [col, allowed] of [
    ["disk_format", DISK_FORMATS],
    ["container_format", CONTAINER_FORMATS],
  ] as const) {
    const v = columns[col];
    for (const x of Array.isArray(v) ? v : v === undefined ? [] : [String(v)])
      if (!(allowed as readonly string[]).includes(x)) throw badRequest(`Invalid ${col} value: ${x}`);
  }
  for (const col of TIME_COLUMNS) {
    for (const raw of params.getAll(col)) {
      const m = /^(\w+):(.*)$/.exec(raw);
      const [op, value] = m && OPERATORS[m[1] as string] ? [OPERATORS[m[1] as string], m[2] as string] : ["=" as const, raw];
      ranges.push([col, op as "=", isoTime(value)]);
    }
  }
  for (const [name, col, op] of [
    ["size_min", "size", ">="],
    ["size_max", "size", "<="],
  ] as const) {
    const raw = params.get(name);
    if (raw === null) continue;
    if (!/^\d+$/.test(raw.trim())) throw badRequest("Unable to filter on a range with a non-numeric value.");
    ranges.push([col, op, Number(raw)]);
  }
  const protectedFilter = params.get("protected");
  if (protectedFilter !== null) columns.protected = bool("protected", protectedFilter);

  const properties: Record<string, string> = {};
  for (const [k, v] of params) if (!RESERVED.has(k)) properties[k] = v;

  return {
    query: {
      visibility: visibility as ListQuery["visibility"],
      memberStatus,
      columns,
      ranges,
      properties,
      tags: params.getAll("tag"),
      osHidden: params.get("os_hidden") !== null ? bool("os_hidden", params.get("os_hidden") as string) : false,
      sort,
      limit,
    },
    marker: params.get("marker") ?? undefined,
  };
}

/** `sort_key`/`sort_dir` (repeatable) or the newer `sort=key:dir,key2` — not both. */
function parseSort(params: URLSearchParams): Array<[string, "asc" | "desc"]> {
  const sortKeys = params.getAll("sort_key");
  const sortDirs = params.getAll("sort_dir");
  const sort = params.get("sort");
  const checkKey = (k: string) => {
    if (!SORT_KEYS.includes(k)) throw badRequest(`Invalid sort key: ${k}. It must be one of the following: ${SORT_KEYS.join(", ")}.`);
  };
  const checkDir = (d: string): "asc" | "desc" => {
    if (d !== "asc" && d !== "desc") throw badRequest(`Invalid sort direction: ${d}`);
    return d;
  };
  if (sort !== null) {
    if (sortKeys.length || sortDirs.length) throw badRequest("The 'sort' parameter cannot be combined with 'sort_key' or 'sort_dir'.");
    return sort.split(",").map((part) => {
      const [k = "", d] = part.trim().split(":");
      checkKey(k.trim());
      return [k.trim(), checkDir((d ?? "desc").trim())] as [string, "asc" | "desc"];
    });
  }
  if (sortKeys.length === 0) {
    if (sortDirs.length > 1) throw badRequest("Number of sort dirs does not match the number of sort keys");
    return [["created_at", checkDir(sortDirs[0] ?? "desc")]];
  }
  if (sortDirs.length > 1 && sortDirs.length !== sortKeys.length)
    throw badRequest("Number of sort dirs does not match the number of sort keys");
  return sortKeys.map((k, i) => {
    checkKey(k);
    return [k, checkDir(sortDirs[sortDirs.length === 1 ? 0 : i] ?? "desc")];
  });
}

/** The `first` and `next` links of a page: the request's own query, with the marker moved on. */
export function pageLinks(params: URLSearchParams, nextMarker: string | undefined): { first: string; next?: string } {
  const rest = new URLSearchParams([...params].filter(([k]) => k !== "marker"));
  const first = rest.toString() ? `/v2/images?${rest}` : "/v2/images";
  if (!nextMarker) return { first };
  const next = new URLSearchParams(rest);
  next.set("marker", nextMarker);
  return { first, next: `/v2/images?${next}` };
}

export type { Viewer };
