/**
 * `{{name}}` in a step's strings: built-in values (state, work, auth_url, driver), the lab's vars and
 * what earlier steps saved. An argument that is exactly `{{...name}}` spreads a list variable into
 * several arguments (e.g. `{{...set_flags}}` → `--set a=1 --set b=2`).
 */
export type Vars = Record<string, string | string[]>;

export class MissingVariableError extends Error {
  override name = "MissingVariableError";
  constructor(readonly variable: string) {
    super(`{{${variable}}} is not defined (no earlier step saved it)`);
  }
}

const REF = /\{\{\s*([\w.-]+)\s*\}\}/g;
const SPREAD = /^\{\{\s*\.\.\.([\w.-]+)\s*\}\}$/;

export function fill(text: string, vars: Vars): string {
  return text.replace(REF, (_m, name: string) => {
    const v = vars[name];
    if (v === undefined) throw new MissingVariableError(name);
    return Array.isArray(v) ? v.join(" ") : v;
  });
}

export function fillArgs(args: string[], vars: Vars): string[] {
  return args.flatMap((a) => {
    const spread = SPREAD.exec(a);
    if (!spread) return [fill(a, vars)];
    const name = spread[1] ?? "";
    const v = vars[name];
    if (v === undefined) throw new MissingVariableError(name);
    return Array.isArray(v) ? v : [v];
  });
}

/** Every string inside a JSON-like value (request bodies, headers, expectations). */
export function fillDeep<T>(value: T, vars: Vars): T {
  if (typeof value === "string") return fill(value, vars) as T;
  if (Array.isArray(value)) return value.map((v) => fillDeep(v, vars)) as T;
  if (value !== null && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [fill(k, vars), fillDeep(v, vars)])) as T;
  return value;
}
