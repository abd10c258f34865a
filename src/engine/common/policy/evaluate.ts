import type { Check, GenericCheck, RoleCheck } from "./checks.js";
import { formatCheck } from "./checks.js";

/**
 * Evaluates a check tree against a target (what is acted on) and credentials (who acts), with
 * oslo.policy's semantics (_checks.py):
 * - `role:x` — x, after target substitution, is among creds.roles, case-insensitively.
 * - `field:match` — match, after `%(key)s` substitution from the target, equals str() of the credential
 *   at the dotted path `field` (a list on the path matches if any element does), or of the literal
 *   when `field` is one (`True:%(x)s`, `'member':%(x)s`).
 * - A `%(key)s` naming nothing in the target makes the check false (oslo catches the KeyError).
 * - `rule:x` evaluates rule x; and/or short-circuit left to right.
 */

type Dict = Record<string, unknown>;

export interface EvaluationScope {
  target: Dict;
  creds: Dict;
  /** The effective check of a named rule (references were validated at load). */
  lookupRule(name: string): Check | undefined;
}

/** One evaluated node, for `os policy check`, logs and trace span attributes. */
export interface ExplainNode {
  kind: Check["kind"];
  /** The check as written, e.g. `role:reader`, `rule:admin_required`, `(a and b)`. */
  check: string;
  /** false for a check that was not reached because and/or short-circuited. */
  evaluated: boolean;
  result: boolean;
  /** For leaf checks: what was compared, e.g. `creds.user_id "u1" vs "u2"`. */
  detail?: string;
  children?: ExplainNode[];
}

/** Python's str() of a value, which is what oslo compares. */
function pythonStr(value: unknown): string {
  if (value === null) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "bigint") return String(value);
  return JSON.stringify(value) ?? String(value);
}

/**
 * Looks up a substitution key in the target. Keystone flattens its target (`{"target.project.id": …}`),
 * other services pass nested objects; a flat key wins, else the dots walk into nested objects.
 */
function targetValue(target: Dict, key: string): unknown {
  if (Object.hasOwn(target, key)) return target[key];
  let value: unknown = target;
  for (const segment of key.split(".")) {
    if (value === null || typeof value !== "object" || !Object.hasOwn(value, segment)) return undefined;
    value = (value as Dict)[segment];
  }
  return value;
}

/**
 * Python `match % target` for `%(key)s` (and `%%`). Returns undefined when a key is missing: the check
 * then fails closed. A null value substitutes as `None`, as in Python.
 */
export function substitute(match: string, target: Dict): string | undefined {
  if (!match.includes("%")) return match;
  let out = "";
  let i = 0;
  while (i < match.length) {
    const percent = match.indexOf("%", i);
    if (percent < 0) break;
    out += match.slice(i, percent);
    if (match[percent + 1] === "%") {
      out += "%";
      i = percent + 2;
      continue;
    }
    if (match[percent + 1] !== "(") {
      out += "%";
      i = percent + 1;
      continue;
    }
    // Find the ')' that closes "%(", allowing nested parentheses as Python does.
    let depth = 1;
    let end = percent + 2;
    for (; end < match.length && depth > 0; end++) {
      if (match[end] === "(") depth++;
      else if (match[end] === ")") depth--;
    }
    const key = match.slice(percent + 2, end - 1);
    const value = targetValue(target, key);
    if (value === undefined) return undefined;
    out += pythonStr(value);
    // Skip the conversion character (s, r, d …) after the closing parenthesis.
    i = end + 1;
  }
  return out + match.slice(i);
}

/** oslo's GenericCheck._find_in_dict: walk the dotted path, fanning out over lists. */
function findInCreds(value: unknown, path: string[], match: string): boolean {
  if (path.length === 0) return value !== undefined && match === pythonStr(value);
  if (value === null || typeof value !== "object") return false;
  const [segment, ...rest] = path;
  if (!Object.hasOwn(value, segment)) return false;
  const next = (value as Dict)[segment];
  // An absent (undefined or null) credential never matches: a project-scoped token's missing
  // domain_id must not equal a target's missing domain id.
  if (next === undefined || next === null) return false;
  if (Array.isArray(next)) return next.some((item) => findInCreds(item, rest, match));
  return findInCreds(next, rest, match);
}

function quote(value: unknown): string {
  return value === undefined ? "(absent)" : JSON.stringify(pythonStr(value));
}

function credentialAt(creds: Dict, path: string[]): unknown {
  let value: unknown = creds;
  for (const segment of path) {
    if (value === null || typeof value !== "object" || !Object.hasOwn(value, segment)) return undefined;
    value = (value as Dict)[segment];
  }
  return value;
}

function checkRole(check: RoleCheck, scope: EvaluationScope): { result: boolean; detail: string } {
  const match = substitute(check.match, scope.target);
  const roles = Array.isArray(scope.creds.roles) ? scope.creds.roles.map((r) => String(r)) : [];
  if (match === undefined) return { result: false, detail: `target has no value for ${check.match}` };
  const result = roles.some((role) => role.toLowerCase() === match.toLowerCase());
  return { result, detail: `creds.roles [${roles.join(", ")}] ${result ? "include" : "lack"} "${match}"` };
}

function checkGeneric(check: GenericCheck, scope: EvaluationScope): { result: boolean; detail: string } {
  const match = substitute(check.match, scope.target);
  if (match === undefined) return { result: false, detail: `target has no value for ${check.match}` };
  if (check.literal !== undefined) {
    const result = check.literal === match;
    return { result, detail: `literal "${check.literal}" vs ${JSON.stringify(match)}` };
  }
  const path = check.field.split(".");
  const result = findInCreds(scope.creds, path, match);
  return { result, detail: `creds.${check.field} ${quote(credentialAt(scope.creds, path))} vs ${JSON.stringify(match)}` };
}

/** Evaluates without recording anything: the hot path of every API request. */
export function evaluate(check: Check, scope: EvaluationScope): boolean {
  switch (check.kind) {
    case "true":
      return true;
    case "false":
      return false;
    case "and":
      return check.checks.every((c) => evaluate(c, scope));
    case "or":
      return check.checks.some((c) => evaluate(c, scope));
    case "not":
      return !evaluate(check.check, scope);
    case "rule": {
      const rule = scope.lookupRule(check.name);
      return rule ? evaluate(rule, scope) : false;
    }
    case "role":
      return checkRole(check, scope).result;
    case "generic":
      return checkGeneric(check, scope).result;
  }
}

function skipped(check: Check): ExplainNode {
  return { kind: check.kind, check: formatCheck(check), evaluated: false, result: false };
}

/** Evaluates and records every step, so a denial can name the sub-check that failed. */
export function explain(check: Check, scope: EvaluationScope): ExplainNode {
  const text = formatCheck(check);
  switch (check.kind) {
    case "true":
    case "false":
      return { kind: check.kind, check: text, evaluated: true, result: check.kind === "true" };
    case "and":
    case "or": {
      const children: ExplainNode[] = [];
      const decisive = check.kind === "or";
      let result = !decisive;
      for (const child of check.checks) {
        if (result === decisive) {
          children.push(skipped(child));
          continue;
        }
        const node = explain(child, scope);
        children.push(node);
        if (node.result === decisive) result = decisive;
      }
      return { kind: check.kind, check: text, evaluated: true, result, children };
    }
    case "not": {
      const inner = explain(check.check, scope);
      return { kind: check.kind, check: text, evaluated: true, result: !inner.result, children: [inner] };
    }
    case "rule": {
      const rule = scope.lookupRule(check.name);
      if (!rule) return { kind: check.kind, check: text, evaluated: true, result: false, detail: `no rule named ${check.name}` };
      const inner = explain(rule, scope);
      return { kind: check.kind, check: text, evaluated: true, result: inner.result, detail: formatCheck(rule), children: [inner] };
    }
    case "role":
      return { kind: check.kind, check: text, evaluated: true, ...checkRole(check, scope) };
    case "generic":
      return { kind: check.kind, check: text, evaluated: true, ...checkGeneric(check, scope) };
  }
}

/** The evaluated leaf checks that came out false: "which sub-check failed", for messages and traces. */
export function failedLeaves(node: ExplainNode): ExplainNode[] {
  if (!node.evaluated || node.result) return [];
  // A false `not x` failed because x held; x's own leaves did not fail.
  if (!node.children || node.kind === "not") return [node];
  return node.children.flatMap(failedLeaves);
}
