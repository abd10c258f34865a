import { evaluate } from "./jsonpath.js";
import { match, show } from "./matchers.js";
import type { Expect, SaveSpec } from "./schema.js";
import { rowsOf } from "./table.js";

/** What a step produced, whatever kind of step it was. */
export interface Outcome {
  /** Exit code of an os/shell step. */
  exit?: number;
  /** HTTP status of an http step. */
  status?: number;
  headers?: Record<string, string | string[] | undefined>;
  /** stdout (or the response body as text). */
  stdout: string;
  stderr: string;
  /** Set when the step could not run at all (bad variable, connection refused, timeout). */
  error?: string;
}

const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  const t = text.trim();
  if (t === "") return { ok: false };
  try {
    return { ok: true, value: JSON.parse(t) };
  } catch {
    return { ok: false };
  }
}

const TELLING_KEYS = ["problems", "errors", "error", "fault", "message", "detail"];

/** The human message inside a JSON answer (a `message` under `error`, the first of `problems`, …). */
function messageIn(v: unknown, depth = 0): string | undefined {
  if (depth > 4 || v === null || v === undefined) return undefined;
  if (typeof v === "string") return v || undefined;
  if (Array.isArray(v)) return messageIn(v[0], depth + 1);
  if (typeof v !== "object") return undefined;
  const o = v as Record<string, unknown>;
  for (const k of TELLING_KEYS) {
    const found = k in o ? messageIn(o[k], depth + 1) : undefined;
    if (found) return found;
  }
  return undefined;
}

/** The first line worth showing of what a failed command said. */
function firstLine(text: string): string {
  let line = text.split("\n").find((l) => l.trim() !== "") ?? "";
  // A JSON document's first line is just "{": show its message, or the document on one line.
  if (/^\s*[[{]\s*$/.test(line)) {
    const doc = parseJson(text);
    if (doc.ok) line = messageIn(doc.value) ?? JSON.stringify(doc.value);
  }
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}

/**
 * Every expectation that does not hold, as one readable line each (empty: the step passed). With no
 * explicit exit/status, a step is expected to succeed (exit 0, HTTP status below 400).
 */
export function check(expect: Expect | undefined, out: Outcome): string[] {
  if (out.error) return [out.error];
  const e = expect ?? {};
  const failures: string[] = [];
  if (out.exit !== undefined) {
    const want = e.exit ?? 0;
    if (out.exit !== want) {
      const said = firstLine(out.stderr) || firstLine(out.stdout);
      failures.push(`exit code ${out.exit}, expected ${want}${said ? `: ${said}` : ""}`);
    }
  }
  if (out.status !== undefined) {
    const ok = e.status !== undefined ? out.status === e.status : out.status < 400;
    if (!ok) {
      const said = firstLine(out.stdout);
      failures.push(`HTTP ${out.status}, expected ${e.status ?? "a success (< 400)"}${said ? `: ${said}` : ""}`);
    }
  }
  // A wrong exit code usually explains everything else: report just that.
  if (failures.length > 0) return failures;
  const text = `${out.stdout}${out.stderr ? `\n${out.stderr}` : ""}`;
  for (const c of list(e.contains)) if (!text.includes(c)) failures.push(`the output does not contain ${show(c)}`);
  for (const c of list(e.not_contains)) if (text.includes(c)) failures.push(`the output contains ${show(c)}, which it should not`);
  for (const r of list(e.regex)) if (!new RegExp(r, "m").test(text)) failures.push(`the output does not match /${r}/`);
  if (e.json) {
    const doc = parseJson(out.stdout);
    if (!doc.ok) failures.push(`the output is not JSON (${show(firstLine(out.stdout))})`);
    else
      for (const [path, want] of Object.entries(e.json)) {
        const got = evaluate(path, doc.value);
        const why = match(got, want);
        if (why) failures.push(`expected ${path} ${why}, got ${show(got)}`);
      }
  }
  if (e.table_rows || e.row_count !== undefined) {
    const rows = rowsOf(out.stdout);
    if (!rows) failures.push("the output has no table");
    else {
      if (e.row_count !== undefined && rows.length !== e.row_count)
        failures.push(`the table has ${rows.length} rows, expected ${e.row_count}`);
      for (const want of e.table_rows ?? []) {
        const fits = rows.some((r) => Object.entries(want).every(([col, v]) => match(r[col], v, true) === undefined));
        if (!fits) {
          const missingCol = Object.keys(want).find((c) => rows.length > 0 && !(c in (rows[0] ?? {})));
          const desc = Object.entries(want)
            .map(([c, v]) => `${c}=${typeof v === "string" ? v : JSON.stringify(v)}`)
            .join(", ");
          failures.push(missingCol ? `the table has no column '${missingCol}'` : `no row with ${desc} in the table`);
        }
      }
    }
  }
  for (const [name, want] of Object.entries(e.headers ?? {})) {
    const got = out.headers?.[name.toLowerCase()];
    const why = match(Array.isArray(got) ? got.join(", ") : got, want);
    if (why) failures.push(`expected header ${name} ${why}, got ${got === undefined ? "no such header" : show(got)}`);
  }
  return failures;
}

/** Values a step saves for later steps; a value that is not there is a failure line. */
export function extract(save: Record<string, SaveSpec> | undefined, out: Outcome): { values: Record<string, string>; failures: string[] } {
  const values: Record<string, string> = {};
  const failures: string[] = [];
  for (const [name, spec] of Object.entries(save ?? {})) {
    let v: unknown;
    if (typeof spec === "string") {
      const doc = parseJson(out.stdout);
      v = doc.ok ? evaluate(spec, doc.value) : undefined;
      if (Array.isArray(v) && spec.includes("?")) v = v[0];
    } else if ("regex" in spec) {
      const m = new RegExp(spec.regex, "m").exec(`${out.stdout}\n${out.stderr}`);
      v = m?.[spec.group ?? (m.length > 1 ? 1 : 0)];
    } else {
      const h = out.headers?.[spec.header.toLowerCase()];
      v = Array.isArray(h) ? h[0] : h;
    }
    if (v === undefined || v === null || typeof v === "object")
      failures.push(`could not save ${name}: ${JSON.stringify(spec)} found ${show(v)}`);
    else values[name] = String(v);
  }
  return { values, failures };
}
