import { type Command, Flags } from "@oclif/core";
import { ApiError } from "../client/errors.js";
import type { ApiResponse, Query } from "../client/session.js";
import { ClientCommand, pyCell } from "./client-command.js";
import { type Cell, type Row, cellText } from "./output.js";

/**
 * What python3-osc-placement 4.0 accepts for --os-placement-api-version: its microversion list plus
 * "1", which negotiates (asks for 1.29, the newest with no gap, and falls back to the server's maximum).
 */
export const SUPPORTED_MICROVERSIONS = [...Array.from({ length: 30 }, (_, i) => `1.${i}`), "1.37", "1.38", "1.39"];
const NEGOTIATE = "1";
const MAX_VERSION_NO_GAP = "1.29";

const minorOf = (v: string): number => Number(v.split(".")[1] ?? 0);

/** The last line of placement's error detail, then the status, as osc-placement's error wrapper words it. */
function placementError(e: ApiError): Error {
  if (e.status >= 400 && e.status < 500) {
    const lines = e.detail.split("\n");
    return new Error(`${(lines[lines.length - 1] ?? "").trim()} (HTTP ${e.status})`);
  }
  return e;
}

export interface PlacementRequest {
  body?: unknown;
  query?: Query;
}

/**
 * Base of every Placement command (osc-placement's SessionClient + version.CheckerMixin): the
 * --os-placement-api-version option, the negotiated microversion on every request, the version checks
 * that refuse an option too new for the chosen microversion, and placement errors as one line.
 */
export abstract class PlacementCommand<T extends typeof Command> extends ClientCommand<T> {
  static override baseFlags = {
    ...ClientCommand.baseFlags,
    "os-placement-api-version": Flags.string({
      helpGroup: "GLOBAL",
      env: "OS_PLACEMENT_API_VERSION",
      default: NEGOTIATE,
      summary: `Placement API version, default=${NEGOTIATE} (Env: OS_PLACEMENT_API_VERSION)`,
    }),
  };

  private negotiated?: string;

  private requestedVersion(): string {
    return (this.flags as unknown as Record<string, string>)["os-placement-api-version"] ?? NEGOTIATE;
  }

  /** The microversion this command speaks: the one asked for, or the negotiated one for "1". */
  protected async version(): Promise<string> {
    if (this.negotiated) return this.negotiated;
    const asked = this.requestedVersion();
    if (asked !== NEGOTIATE && !SUPPORTED_MICROVERSIONS.includes(asked))
      throw new Error(`Invalid placement client version '${asked}'. must be one of: ${[...SUPPORTED_MICROVERSIONS, NEGOTIATE].join(", ")}`);
    if (asked !== NEGOTIATE) {
      this.negotiated = asked;
      return asked;
    }
    try {
      await this.session().get("placement", "/", { microversion: MAX_VERSION_NO_GAP });
      this.negotiated = MAX_VERSION_NO_GAP;
    } catch (e) {
      const body = (e as ApiError).body as { errors?: Array<{ max_version?: string }> } | undefined;
      const max = (e as ApiError).status === 406 ? body?.errors?.[0]?.max_version : undefined;
      if (!max) throw e instanceof ApiError ? placementError(e) : e;
      this.negotiated = max;
    }
    return this.negotiated;
  }

  /** version.compare(ver, ge(min)) without raising. */
  protected async atLeast(minor: number): Promise<boolean> {
    return minorOf(await this.version()) >= minor;
  }

  /** version.check(ge(min)): refuse the operation below the microversion that introduced it. */
  protected async requireAtLeast(minor: number): Promise<void> {
    const v = await this.version();
    if (minorOf(v) < minor)
      throw new Error(`Operation or argument is not supported with version ${v}; requires at least version 1.${minor}`);
  }

  /** One placement call at the command's microversion; the parsed JSON body (undefined for 204). */
  // biome-ignore lint/suspicious/noExplicitAny: placement bodies are read field by field, as osc-placement does
  protected async placement<R = any>(method: string, path: string, req: PlacementRequest = {}): Promise<R> {
    return (await this.placementResponse<R>(method, path, req)).body;
  }

  /** The whole response (status, headers, body), for the commands that read a header. */
  protected async placementResponse<R>(method: string, path: string, req: PlacementRequest = {}): Promise<ApiResponse<R>> {
    const microversion = await this.version();
    try {
      return await this.session().request<R>("placement", method, path, { body: req.body, query: req.query, microversion });
    } catch (e) {
      throw e instanceof ApiError ? placementError(e) : e;
    }
  }

  /**
   * A consumer's allocations as osc-placement lists them: one row per provider, with the consumer's
   * project/user (from 1.12, or always for `unset`) and consumer type (from 1.38).
   */
  protected async printAllocations(body: Record<string, unknown>, withOwner = false): Promise<void> {
    const fields = ["resource_provider", "generation", "resources"];
    const owner: Record<string, unknown> = {};
    if (withOwner || (await this.atLeast(12))) {
      fields.push("project_id", "user_id");
      owner.project_id = body.project_id ?? null;
      owner.user_id = body.user_id ?? null;
    }
    if (await this.atLeast(38)) {
      fields.push("consumer_type");
      owner.consumer_type = body.consumer_type ?? null;
    }
    const per = (body.allocations ?? {}) as Record<string, Record<string, unknown>>;
    await this.printList(
      fields,
      Object.entries(per).map(([rp, a]) => pick({ resource_provider: rp, ...owner, ...a }, fields)),
    );
  }

  /**
   * A Python float as the openstack client shows it (16.0, 1.5): a number for JSON/YAML, a PyFloat in
   * list tables (printed "16.0", right-aligned like any number), else the text.
   */
  protected pyFloat(v: unknown): Cell {
    const format = (this.flags as unknown as { format: string }).format;
    if (typeof v !== "number" || format === "json" || format === "yaml") return v as Cell;
    return format === "table" ? new PyFloat(v) : pyFloatText(v);
  }

  protected override async printOne(obj: Row): Promise<void> {
    await super.printOne(Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, v instanceof PyFloat ? v.text : v])));
  }

  /**
   * Lists as cliff's table formatter draws them: a column whose first-row value is a number (int or
   * float, not bool) is right-aligned, header included. Other formats as every command prints them.
   */
  protected override async printList(columns: string[], rows: Row[]): Promise<void> {
    const f = this.flags as unknown as { format: string; column?: string[]; "sort-column"?: string[]; "sort-descending"?: boolean };
    const plain = (r: Row): Row => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v instanceof PyFloat ? v.text : v]));
    if (f.format !== "table") return super.printList(columns, rows.map(plain));
    const unknown = (f.column ?? []).filter((c) => !columns.includes(c));
    if (unknown.length)
      throw new Error(`No recognized column names in ['${unknown.join("', '")}']. Recognized columns are ('${columns.join("', '")}').`);
    const cols = f.column?.length ? f.column : columns;
    const text = (v: Cell): string => (v instanceof PyFloat ? v.text : cellText(pyCell(v)));
    let data = rows;
    const keys = (f["sort-column"] ?? []).filter((c) => columns.includes(c));
    if (keys.length)
      data = [...rows].sort((a, b) => {
        for (const k of keys) {
          const x = text(a[k]);
          const y = text(b[k]);
          if (x !== y) return (x < y ? -1 : 1) * (f["sort-descending"] ? -1 : 1);
        }
        return 0;
      });
    if (data.length === 0) return;
    const right = cols.map((c) => typeof data[0]?.[c] === "number" || data[0]?.[c] instanceof PyFloat);
    this.log(
      cliffTable(
        cols,
        data.map((r) => cols.map((c) => text(r[c]))),
        right,
      ),
    );
  }
}

/** Python's int(): a decimal integer, else the ValueError text argparse/osc would show. */
export function pyInt(text: string): number {
  if (!/^\s*[+-]?\d+\s*$/.test(text)) throw new Error(`invalid literal for int() with base 10: '${text}'`);
  return Number.parseInt(text, 10);
}

/** Python's float(). */
export function pyFloatValue(text: string): number {
  const n = Number(text.trim());
  if (text.trim() === "" || Number.isNaN(n)) throw new Error(`could not convert string to float: '${text}'`);
  return n;
}

/**
 * osc-placement's get_required_query_param_from_args: each comma list of required traits is its own
 * `in:` any-of parameter; plain required traits and `!forbidden` ones share one parameter.
 */
export function requiredQueryParams(required: string[], forbidden: string[]): string[] {
  const params: string[] = [];
  const all: string[] = [];
  for (const r of required) {
    if (r.includes(",")) params.push(`in:${r}`);
    else all.push(r);
  }
  const joined = [...all, ...forbidden].join(",");
  if (joined) params.push(joined);
  return params;
}

/** Resource provider columns: nested-provider fields appear from 1.14. */
export const PROVIDER_FIELDS = ["uuid", "name", "generation"];
export const NESTED_PROVIDER_FIELDS = ["root_provider_uuid", "parent_provider_uuid"];

/** The inventory fields in osc-placement's order (its INVENTORY_FIELDS). */
export const INVENTORY_FIELDS = ["allocation_ratio", "min_unit", "max_unit", "reserved", "step_size", "total"] as const;

/** utils.get_dict_properties: the named fields of an object, "" for a missing one. */
export function pick(obj: Record<string, unknown>, fields: readonly string[]): Record<string, Cell> {
  return Object.fromEntries(fields.map((f) => [f, (f in obj ? obj[f] : "") as Cell]));
}

type InventoryField = (typeof INVENTORY_FIELDS)[number];

/**
 * osc-placement's parse_resource_argument: `VCPU=8` sets the total, `VCPU:allocation_ratio=16` any
 * other field; values are Python ints, or a float for allocation_ratio.
 */
export function parseInventoryResource(arg: string): { name: string; field: InventoryField; value: number } {
  const parts = arg.split("=");
  if (parts.length !== 2) throw new Error('Resource argument must have "name=value" format');
  const [key = "", raw = ""] = parts;
  const names = key.split(":");
  if (names.length > 2) throw new Error("Resource argument can contain only one colon");
  const [name = "", field = "total"] = names;
  if (!name || !field || !raw) throw new Error("Name, field and value must be not empty");
  if (!(INVENTORY_FIELDS as readonly string[]).includes(field)) throw new Error(`Unknown inventory field ${field}`);
  const value = field === "allocation_ratio" ? pyFloatValue(raw) : pyInt(raw);
  return { name, field: field as InventoryField, value };
}

/**
 * osc-placement's parse_allocations: `rp=<uuid>,VCPU=2,MEMORY_MB=512` strings, merged per provider; the
 * same class given twice for one provider with different amounts is a conflict.
 */
export function parseAllocations(args: string[]): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const arg of args) {
    if (!arg.includes("=") || !arg.includes(",")) throw new Error("Incorrect allocation string format");
    const parsed: Record<string, string> = {};
    for (const kv of arg.split(",")) {
      const pair = kv.split("=");
      if (pair.length !== 2) throw new Error(`dictionary update sequence element has length ${pair.length}; 2 is required`);
      parsed[pair[0] as string] = pair[1] as string;
    }
    const rp = parsed.rp;
    if (rp === undefined) throw new Error("Resource provider parameter is required for allocation string");
    const resources = Object.fromEntries(
      Object.entries(parsed)
        .filter(([k]) => k !== "rp")
        .map(([k, v]) => [k, pyInt(v)]),
    );
    const prev = out[rp];
    if (!prev) out[rp] = resources;
    else {
      for (const [rc, amount] of Object.entries(resources))
        if (rc in prev && prev[rc] !== amount) throw new Error(`Conflict detected for resource provider ${rp} resource class ${rc}`);
      Object.assign(prev, resources);
    }
  }
  return out;
}

/** A float cell: Python prints 16.0 where JavaScript prints 16. */
export class PyFloat {
  readonly text: string;
  constructor(readonly value: number) {
    this.text = pyFloatText(value);
  }
}

export const pyFloatText = (v: number): string => (Number.isInteger(v) ? v.toFixed(1) : String(v));

/** prettytable as cliff configures it, with per-column alignment. */
function cliffTable(head: string[], rows: string[][], right: boolean[]): string {
  const widths = head.map((h, i) => Math.max(...[h, ...rows.map((r) => r[i] ?? "")].flatMap((c) => c.split("\n").map((l) => l.length))));
  const rule = `+${widths.map((w) => "-".repeat(w + 2)).join("+")}+`;
  const line = (cells: string[]) => {
    const split = cells.map((c) => c.split("\n"));
    const height = Math.max(...split.map((l) => l.length));
    const out: string[] = [];
    for (let k = 0; k < height; k++)
      out.push(
        `| ${split.map((l, i) => (right[i] ? (l[k] ?? "").padStart(widths[i] ?? 0) : (l[k] ?? "").padEnd(widths[i] ?? 0))).join(" | ")} |`,
      );
    return out.join("\n");
  };
  return [rule, line(head), rule, ...rows.map(line), rule].join("\n");
}
