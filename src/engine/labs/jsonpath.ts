/**
 * The small JSON path a lab's expectations use: `$`, `.name`, `['name with spaces']`, `[0]`, `[-1]`,
 * `[*]`, `.*` and filters `[?(@.Field == 'value')]` (also `!=`, numbers, true/false/null, nested `@.a.b`).
 * A path without a wildcard or filter names one value (undefined when absent); one with them names a
 * list of every match, so `$[*].Name` reads a whole column.
 */

type Segment =
  | { kind: "key"; key: string }
  | { kind: "index"; index: number }
  | { kind: "all" }
  | { kind: "filter"; path: string[]; op: "==" | "!="; value: unknown };

export class JsonPathError extends Error {
  override name = "JsonPathError";
}

export interface CompiledPath {
  source: string;
  /** true: the path can match several values (wildcard or filter), and evaluates to a list. */
  multiple: boolean;
  segments: Segment[];
}

const IDENT = /^[A-Za-z_$][\w$:-]*/;

export function compilePath(source: string): CompiledPath {
  const s = source.trim();
  if (!s.startsWith("$")) throw new JsonPathError(`JSON path '${source}' must start with $`);
  const segments: Segment[] = [];
  let i = 1;
  while (i < s.length) {
    const rest = s.slice(i);
    if (rest.startsWith(".*")) {
      segments.push({ kind: "all" });
      i += 2;
    } else if (rest.startsWith(".")) {
      const m = IDENT.exec(rest.slice(1));
      if (!m) throw new JsonPathError(`JSON path '${source}': expected a name after '.' at position ${i + 1}`);
      segments.push({ kind: "key", key: m[0] });
      i += 1 + m[0].length;
    } else if (rest.startsWith("[")) {
      const close = findClose(rest);
      if (close < 0) throw new JsonPathError(`JSON path '${source}': '[' at position ${i} is never closed`);
      segments.push(bracket(rest.slice(1, close).trim(), source));
      i += close + 1;
    } else {
      throw new JsonPathError(`JSON path '${source}': unexpected '${rest[0]}' at position ${i}`);
    }
  }
  return { source, segments, multiple: segments.some((g) => g.kind === "all" || g.kind === "filter") };
}

// The matching ']' outside quotes (filters may hold ']' inside a quoted value).
function findClose(s: string): number {
  let quote: string | undefined;
  for (let k = 1; k < s.length; k++) {
    const c = s[k];
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === "]") return k;
  }
  return -1;
}

function bracket(inner: string, source: string): Segment {
  if (inner === "*") return { kind: "all" };
  if (/^-?\d+$/.test(inner)) return { kind: "index", index: Number(inner) };
  const quoted = /^(['"])(.*)\1$/s.exec(inner);
  if (quoted) return { kind: "key", key: quoted[2] ?? "" };
  const filter = /^\?\(?\s*@((?:\.[A-Za-z_$][\w$:-]*|\[(?:'[^']*'|"[^"]*")\])+)\s*(==|!=)\s*(.+?)\s*\)?$/s.exec(inner);
  if (filter) {
    const path = compilePath(`$${filter[1]}`).segments.map((g) => (g.kind === "key" ? g.key : ""));
    return { kind: "filter", path, op: filter[2] as "==" | "!=", value: literal(filter[3] ?? "", source) };
  }
  throw new JsonPathError(`JSON path '${source}': cannot read '[${inner}]' (use [0], [*], ['name'] or [?(@.field == 'value')])`);
}

function literal(text: string, source: string): unknown {
  const t = text.trim();
  const q = /^(['"])(.*)\1$/s.exec(t);
  if (q) return q[2];
  if (t === "true") return true;
  if (t === "false") return false;
  if (t === "null") return null;
  if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t);
  throw new JsonPathError(`JSON path '${source}': '${t}' is not a quoted string, number, true, false or null`);
}

function children(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (v !== null && typeof v === "object") return Object.values(v);
  return [];
}

function step(nodes: unknown[], g: Segment): unknown[] {
  const out: unknown[] = [];
  for (const n of nodes) {
    if (g.kind === "key") {
      if (n !== null && typeof n === "object" && !Array.isArray(n) && g.key in n) out.push((n as Record<string, unknown>)[g.key]);
    } else if (g.kind === "index") {
      if (Array.isArray(n)) {
        const k = g.index < 0 ? n.length + g.index : g.index;
        if (k >= 0 && k < n.length) out.push(n[k]);
      }
    } else if (g.kind === "all") out.push(...children(n));
    else {
      for (const c of children(n)) {
        let v: unknown = c;
        for (const key of g.path) v = v !== null && typeof v === "object" ? (v as Record<string, unknown>)[key] : undefined;
        const equal = v === g.value || (v !== undefined && v !== null && g.value !== null && String(v) === String(g.value));
        if (g.op === "==" ? equal : !equal) out.push(c);
      }
    }
  }
  return out;
}

/** The value a path names (one value, or the list of matches for a wildcard/filter path). */
export function evaluate(path: string | CompiledPath, doc: unknown): unknown {
  const p = typeof path === "string" ? compilePath(path) : path;
  const found = p.segments.reduce<unknown[]>((nodes, g) => step(nodes, g), [doc]);
  return p.multiple ? found : found[0];
}
