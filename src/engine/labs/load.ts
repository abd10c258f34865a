import { existsSync, readFileSync, readdirSync } from "node:fs";
import { basename, join, relative } from "node:path";
import { Ajv, type ErrorObject } from "ajv";
import { parseDocument } from "yaml";
import { fixturesDir } from "../common/paths.js";
import { compilePath } from "./jsonpath.js";
import { MATCHERS, isMatcher } from "./matchers.js";
import { ACTIONS, type Lab, type Step, labSchema } from "./schema.js";

/** A lab file that cannot be used, with the file and the field at fault in the message. */
export class LabFormatError extends Error {
  override name = "LabFormatError";
}

export class UnknownLabError extends Error {
  override name = "UnknownLabError";
}

export interface LoadedLab extends Lab {
  name: string;
  file: string;
}

export const labsDir = (): string => process.env.POCKETSTACK_LABS_DIR ?? join(fixturesDir, "labs");

/** Lab names (file names without .yaml), sorted in the order the seed teaches them when known. */
export function labNames(dir = labsDir()): string[] {
  if (!existsSync(dir)) return [];
  const names = readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => f.replace(/\.ya?ml$/, ""));
  const order = ["infrastructure", "keystone", "glance-placement", "nova", "tls", "middleware"];
  const rank = (n: string) => (order.includes(n) ? order.indexOf(n) : order.length);
  return names.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

const ajv = new Ajv({ allErrors: false, strict: false });
const validate = ajv.compile(labSchema);

function display(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel.startsWith("..") ? file : rel;
}

/** "/steps/3/expect/exit" → `step 4 ("title"): expect.exit`: where a person looks in the file. */
function where(doc: unknown, pointer: string): string {
  const parts = pointer.split("/").slice(1);
  if ((parts[0] === "steps" || parts[0] === "cleanup") && parts[1] !== undefined) {
    const list = (doc as Record<string, unknown[]>)[parts[0]] ?? [];
    const title = (list[Number(parts[1])] as { title?: unknown } | undefined)?.title;
    const label = `${parts[0] === "steps" ? "step" : "cleanup step"} ${Number(parts[1]) + 1}${typeof title === "string" ? ` ("${title}")` : ""}`;
    const rest = fieldPath(parts.slice(2));
    return rest ? `${label}: ${rest}` : label;
  }
  return fieldPath(parts) || "the top level";
}

const fieldPath = (parts: string[]) => parts.reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), "");

function ajvMessage(doc: unknown, e: ErrorObject): string {
  const at = where(doc, e.instancePath);
  if (e.keyword === "additionalProperties") {
    const extra = (e.params as { additionalProperty: string }).additionalProperty;
    return `${at}: unknown field '${extra}'`;
  }
  if (e.keyword === "required") return `${at}: missing field '${(e.params as { missingProperty: string }).missingProperty}'`;
  if (e.keyword === "enum") return `${at} must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.join(", ")}`;
  return `${at} ${e.message}`;
}

/** Checks the schema cannot express: one action per step, paths and patterns that compile. */
function checkStep(s: Step, label: string, steps: number): string | undefined {
  for (const k of ["passed", "not_passed"] as const) {
    const n = s.when?.[k];
    if (n !== undefined && n > steps) return `${label}: when.${k} names step ${n}, but the lab has ${steps} steps`;
  }
  const actions = ACTIONS.filter((a) => s[a] !== undefined);
  if (actions.length !== 1)
    return `${label}: a step needs exactly one of ${ACTIONS.join(", ")} (found ${actions.length ? actions.join(", ") : "none"})`;
  if (s.http && !s.http.service && !s.http.url) return `${label}: http needs a service (catalog type) or a url`;
  if (s.edit && !s.edit.restore && (s.edit.replace === undefined || s.edit.with === undefined))
    return `${label}: edit needs replace and with (or restore: true)`;
  const e = s.expect ?? {};
  if (s.http && e.exit !== undefined) return `${label}: expect.exit is for os and shell steps; an http step expects a status`;
  if (!s.http && (e.status !== undefined || e.headers !== undefined))
    return `${label}: expect.status and expect.headers are for http steps`;
  for (const path of Object.keys(e.json ?? {})) {
    try {
      compilePath(path);
    } catch (err) {
      return `${label}: expect.json: ${(err as Error).message}`;
    }
  }
  const patterns = [...[e.regex ?? []].flat()];
  for (const [name, spec] of Object.entries(s.save ?? {})) {
    if (typeof spec === "string") {
      try {
        compilePath(spec);
      } catch (err) {
        return `${label}: save.${name}: ${(err as Error).message}`;
      }
    } else if ("regex" in spec) patterns.push(spec.regex);
    else if (!("header" in spec)) return `${label}: save.${name} needs a JSON path, {regex} or {header}`;
  }
  if (typeof s.trace === "object" && s.trace.path) patterns.push(s.trace.path);
  for (const p of patterns) {
    try {
      new RegExp(p);
    } catch (err) {
      return `${label}: ${(err as Error).message}`;
    }
  }
  const values = [
    ...Object.values(e.json ?? {}),
    ...(e.table_rows ?? []).flatMap((r) => Object.values(r)),
    ...Object.values(e.headers ?? {}),
  ];
  for (const v of values) {
    if (!isMatcher(v)) continue;
    const unknown = Object.keys(v).find((k) => !(MATCHERS as readonly string[]).includes(k));
    if (unknown) return `${label}: unknown matcher ${unknown} (known: ${MATCHERS.join(", ")})`;
  }
  return undefined;
}

/** Parse and validate one lab file; a bad one throws LabFormatError naming the file and the field. */
export function loadLabFile(file: string): LoadedLab {
  const name = basename(file).replace(/\.ya?ml$/, "");
  const shown = display(file);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new LabFormatError(`${shown}: cannot read: ${(err as Error).message}`);
  }
  const parsed = parseDocument(text, { prettyErrors: true });
  if (parsed.errors.length > 0) {
    const e = parsed.errors[0]!;
    const line = e.linePos?.[0];
    throw new LabFormatError(`${shown}${line ? `:${line.line}:${line.col}` : ""}: not valid YAML: ${e.message.split("\n")[0]}`);
  }
  const doc = parsed.toJS() as unknown;
  if (!validate(doc)) {
    const e = validate.errors?.[0];
    throw new LabFormatError(`${shown}: ${e ? ajvMessage(doc, e) : "does not fit the lab format"}`);
  }
  const lab = doc as unknown as Lab;
  for (const [list, word] of [
    [lab.steps, "step"],
    [lab.cleanup ?? [], "cleanup step"],
  ] as const) {
    for (const [i, s] of list.entries()) {
      const problem = checkStep(s, `${word} ${i + 1} ("${s.title}")`, lab.steps.length);
      if (problem) throw new LabFormatError(`${shown}: ${problem}`);
    }
  }
  return { ...lab, name, file };
}

export function loadLab(name: string, dir = labsDir()): LoadedLab {
  for (const ext of [".yaml", ".yml"]) {
    const file = join(dir, `${name}${ext}`);
    if (existsSync(file)) return loadLabFile(file);
  }
  const known = labNames(dir);
  throw new UnknownLabError(`No lab named '${name}'. Labs: ${known.join(", ") || `none (no lab files in ${dir})`}. See 'os lab list'.`);
}
