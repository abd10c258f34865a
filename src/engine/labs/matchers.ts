/**
 * What an expected value in a lab may be: a plain value (deep equality), or a matcher object whose
 * keys all start with `$`: `$regex`, `$contains` (substring, or list member(s)), `$exists`, `$length`,
 * `$gt`/`$gte`/`$lt`/`$lte`, `$ne`, `$type`. `match` answers undefined when the value fits, else a
 * short phrase saying what was expected ("to match /x/"), for a one-line failure message.
 */

export const MATCHERS = ["$regex", "$contains", "$exists", "$length", "$gt", "$gte", "$lt", "$lte", "$ne", "$type"] as const;

export function isMatcher(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return false;
  const keys = Object.keys(v);
  return keys.length > 0 && keys.every((k) => k.startsWith("$"));
}

/** A value as a reader sees it in a message: strings quoted, long values cut. */
export function show(v: unknown): string {
  const text = v === undefined ? "nothing" : JSON.stringify(v);
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== "object") return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  return ka.length === kb.length && ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

const typeOf = (v: unknown) => (v === null ? "null" : Array.isArray(v) ? "array" : typeof v);

function contains(actual: unknown, needle: unknown): boolean {
  if (typeof actual === "string") return actual.includes(String(needle));
  if (Array.isArray(actual)) {
    const wanted = Array.isArray(needle) ? needle : [needle];
    return wanted.every((w) => actual.some((a) => deepEqual(a, w) || (typeof a !== "object" && String(a) === String(w))));
  }
  return false;
}

function compare(actual: unknown, op: string, bound: unknown): boolean {
  const a = Number(actual);
  const b = Number(bound);
  if (actual === null || actual === undefined || Number.isNaN(a) || Number.isNaN(b)) return false;
  return op === "$gt" ? a > b : op === "$gte" ? a >= b : op === "$lt" ? a < b : a <= b;
}

const PHRASE: Record<string, string> = { $gt: ">", $gte: ">=", $lt: "<", $lte: "<=" };

/**
 * undefined if `actual` fits `expected`, else what was expected. `loose`: compare scalars as text (table
 * cells are text: a column showing 4 matches an expected 4).
 */
export function match(actual: unknown, expected: unknown, loose = false): string | undefined {
  if (!isMatcher(expected)) {
    if (deepEqual(actual, expected)) return undefined;
    if (loose && actual !== undefined && typeof expected !== "object" && String(actual) === String(expected)) return undefined;
    return `to be ${show(expected)}`;
  }
  for (const [op, arg] of Object.entries(expected)) {
    switch (op) {
      case "$regex":
        if (actual === undefined || !new RegExp(String(arg)).test(typeof actual === "string" ? actual : JSON.stringify(actual)))
          return `to match /${arg}/`;
        break;
      case "$contains":
        if (!contains(actual, arg)) return `to contain ${show(arg)}`;
        break;
      case "$exists":
        if ((actual !== undefined) !== Boolean(arg)) return arg ? "to exist" : "to be absent";
        break;
      case "$length": {
        const len = typeof actual === "string" || Array.isArray(actual) ? actual.length : undefined;
        const why = len === undefined ? "to have a length" : match(len, arg);
        if (why) return len === undefined ? why : `to have a length ${why.replace(/^to be /, "of ")}`;
        break;
      }
      case "$gt":
      case "$gte":
      case "$lt":
      case "$lte":
        if (!compare(actual, op, arg)) return `to be ${PHRASE[op]} ${show(arg)}`;
        break;
      case "$ne":
        if (deepEqual(actual, arg)) return `not to be ${show(arg)}`;
        break;
      case "$type":
        if (typeOf(actual) !== arg) return `to be of type ${arg}`;
        break;
      default:
        return `a known matcher (${op} is not one of ${MATCHERS.join(", ")})`;
    }
  }
  return undefined;
}
