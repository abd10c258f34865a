import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { PolicyFileError } from "./errors.js";

/**
 * Reads an operator's policy overrides: a YAML or JSON mapping of rule name to check string (oslo tries
 * JSON, then YAML; YAML is a superset, so one YAML parse would do, but JSON.parse gives better positions
 * for a broken .json file). An empty value means "always", as in oslo.
 */
export function readPolicyFile(path: string): Map<string, string> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new PolicyFileError(path, (err as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : String(err));
  }
  return parsePolicyText(text, path);
}

export function parsePolicyText(text: string, path: string): Map<string, string> {
  let data: unknown;
  try {
    data = path.endsWith(".json") ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new PolicyFileError(path, `not valid ${path.endsWith(".json") ? "JSON" : "YAML"}: ${(err as Error).message}`);
  }
  const rules = new Map<string, string>();
  if (data === null || data === undefined) return rules;
  if (typeof data !== "object" || Array.isArray(data)) {
    throw new PolicyFileError(path, "expected a mapping of rule name to check string");
  }
  for (const [name, value] of Object.entries(data)) {
    if (value === null || value === undefined) rules.set(name, "");
    else if (typeof value === "string") rules.set(name, value);
    else if (Array.isArray(value)) {
      throw new PolicyFileError(path, `rule '${name}': the legacy list-of-lists form is not supported; write a check string`);
    } else {
      throw new PolicyFileError(path, `rule '${name}': expected a check string, got ${typeof value}`);
    }
  }
  return rules;
}
