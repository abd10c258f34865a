import type { Db } from "../common/db/database.js";
import { HttpError } from "../common/http/errors.js";
import { ErrorCode, badRequest } from "./errors.js";
import type { AggregateFilter, TraitFilter } from "./filters.js";
import type { Microversion } from "./microversion.js";
import { findResourceClass } from "./store/resource-classes.js";
import { missingTraits } from "./store/traits.js";

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
export const isUuid = (s: string) => UUID.test(s);
/** Placement stores UUIDs in their canonical dashed, lower-case form. */
export function canonicalUuid(s: string): string {
  const hex = s.replace(/-/g, "").toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** `resources=VCPU:2,MEMORY_MB:1024` → {VCPU: 2, MEMORY_MB: 1024}, every class known, every amount > 0. */
export function parseResources(db: Db, raw: string, param = "resources"): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of raw.split(",")) {
    const m = /^\s*([A-Z0-9_]+)\s*:\s*(-?\d+)\s*$/.exec(part);
    if (!m)
      throw badRequest(
        `Badly formed ${param} parameter. Expected ${param} query string parameter in form: ?${param}=VCPU:2,MEMORY_MB:1024. Got: ${raw}.`,
        ErrorCode.QUERYPARAM_BAD_VALUE,
      );
    const [, rc, amountText] = m as unknown as [string, string, string];
    const amount = Number(amountText);
    if (!Number.isSafeInteger(amount) || amount < 1)
      throw badRequest(`Requested resource ${rc} expected positive integer amount. Got: ${amountText}.`, ErrorCode.QUERYPARAM_BAD_VALUE);
    if (rc in out)
      throw badRequest(
        `Badly formed ${param} parameter. Resource class ${rc} appears more than once. Got: ${raw}.`,
        ErrorCode.QUERYPARAM_BAD_VALUE,
      );
    if (!findResourceClass(db, rc))
      throw badRequest(`Invalid resource class in ${param} parameter: No such resource class ${rc}.`, ErrorCode.QUERYPARAM_BAD_VALUE);
    out[rc] = amount;
  }
  return out;
}

/**
 * `required` values into a trait filter: `A,!B` (forbidden from 1.22), `in:A,B` any-of (from 1.39, and
 * only then may the parameter repeat). Unknown traits are a 400 naming them.
 */
export function parseRequired(db: Db, values: string[], v: Microversion, param = "required"): TraitFilter {
  const f: TraitFilter = { required: [], forbidden: [], anyOf: [] };
  if (values.length > 1 && !v.at(39))
    throw badRequest(`Query parameter '${param}' may only be given once before microversion 1.39.`, ErrorCode.ILLEGAL_DUPLICATE_QUERYPARAM);
  const all: string[] = [];
  for (const value of values) {
    if (v.at(39) && value.startsWith("in:")) {
      const names = value
        .slice(3)
        .split(",")
        .map((s) => s.trim());
      if (names.some((n) => n === "" || n.startsWith("!")))
        throw badRequest(
          `Invalid query string parameters: '${param}' in:… takes trait names without '!'. Got: ${value}`,
          ErrorCode.QUERYPARAM_BAD_VALUE,
        );
      f.anyOf.push(names);
      all.push(...names);
      continue;
    }
    for (const raw of value.split(",").map((s) => s.trim())) {
      if (raw === "")
        throw badRequest(
          `Invalid query string parameters: Expected '${param}' parameter value of the form: HW_CPU_X86_VMX,CUSTOM_MAGIC. Got: ${value}`,
          ErrorCode.QUERYPARAM_BAD_VALUE,
        );
      if (raw.startsWith("!") && v.at(22)) {
        f.forbidden.push(raw.slice(1));
        all.push(raw.slice(1));
      } else {
        f.required.push(raw);
        all.push(raw);
      }
    }
  }
  const missing = missingTraits(db, [...new Set(all)]);
  if (missing.length > 0)
    throw badRequest(`Invalid trait(s) in "${param}" parameter: No such trait(s): ${missing.join(", ")}.`, ErrorCode.QUERYPARAM_BAD_VALUE);
  const conflicting = f.required.filter((t) => f.forbidden.includes(t));
  if (conflicting.length > 0)
    throw badRequest(
      `Conflicting required and forbidden traits found in the following traits: ${conflicting.join(", ")}`,
      ErrorCode.QUERYPARAM_BAD_VALUE,
    );
  return f;
}

/**
 * `member_of` values into an aggregate filter: `uuid` or `in:u1,u2` (any of), repeated for AND (1.24),
 * `!uuid` / `!in:u1,u2` to exclude (1.32).
 */
export function parseMemberOf(values: string[], v: Microversion, param = "member_of"): AggregateFilter {
  const f: AggregateFilter = { anyOf: [], forbidden: [] };
  const used = v.at(24) ? values : values.slice(-1);
  for (let value of used) {
    let forbidden = false;
    if (value.startsWith("!")) {
      if (!v.at(32))
        throw badRequest(
          `Invalid query string parameters: Expected '${param}' parameter to contain valid UUID(s). Got: ${value}`,
          ErrorCode.QUERYPARAM_BAD_VALUE,
        );
      forbidden = true;
      value = value.slice(1);
    }
    const hasIn = value.startsWith("in:");
    const uuids = (hasIn ? value.slice(3) : value).split(",").map((s) => s.trim());
    if (uuids.some((u) => !isUuid(u)) || (!hasIn && uuids.length > 1))
      throw badRequest(
        `Invalid query string parameters: Expected '${param}' parameter to contain valid UUID(s). Got: ${value}`,
        ErrorCode.QUERYPARAM_BAD_VALUE,
      );
    if (forbidden) {
      if (value.includes("!"))
        throw badRequest(`Invalid query string parameters: '!' is only allowed at the beginning of '${param}'. Got: ${value}`);
      f.forbidden.push(...uuids.map(canonicalUuid));
    } else f.anyOf.push(uuids.map(canonicalUuid));
  }
  return f;
}

/** Refuse query parameters the handler does not know at this microversion (placement's schemas do). */
export function checkQueryKeys(query: URLSearchParams, allowed: Array<string | RegExp>): void {
  for (const key of new Set(query.keys())) {
    if (!allowed.some((a) => (typeof a === "string" ? a === key : a.test(key))))
      throw new HttpError(400, `Invalid query string parameters: Additional properties are not allowed ('${key}' was unexpected)`);
  }
}

/** The single value of a parameter that may appear only once. */
export function single(query: URLSearchParams, key: string): string | undefined {
  const all = query.getAll(key);
  if (all.length > 1)
    throw badRequest(`Invalid query string parameters: '${key}' may only appear once.`, ErrorCode.ILLEGAL_DUPLICATE_QUERYPARAM);
  return all[0];
}
