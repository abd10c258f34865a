import { randomUUID } from "node:crypto";

/** Keystone ids: a uuid4 as 32 hex digits. */
export const newId = (): string => randomUUID().replace(/-/g, "");

export const parseExtra = (text: string | null | undefined): Record<string, unknown> => {
  if (!text) return {};
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return {};
  }
};

/** Drop the listed keys (columns kept elsewhere) and return what goes into `extra`. */
export function extraOf(obj: Record<string, unknown>, columns: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) if (!columns.includes(k) && k !== "links") out[k] = v;
  return out;
}

export const now = (): string => new Date().toISOString();
