import { type RequestEntry, methodOf, pathOf, statusOf, userOf } from "./feed.js";

/**
 * The `/` filter: words that must all match. `path:/servers`, `user:<id>`, `status:5xx` (or `404`, `4`),
 * `service:glance`, `method:POST`; a bare word matches any of those and the request id.
 */
export type RequestFilter = (e: RequestEntry) => boolean;

const FIELDS = ["path", "user", "status", "service", "method", "id"] as const;
type Field = (typeof FIELDS)[number];

function statusMatches(status: number | null, want: string): boolean {
  if (status === null) return false;
  const digits = want.toLowerCase().replace(/x+$/, "");
  return /^\d{1,3}$/.test(digits) && String(status).startsWith(digits);
}

function fieldMatches(e: RequestEntry, field: Field, want: string): boolean {
  const has = (v: string | null | undefined) => (v ?? "").toLowerCase().includes(want);
  switch (field) {
    case "path":
      return has(pathOf(e));
    case "user":
      return has(userOf(e));
    case "status":
      return statusMatches(statusOf(e), want);
    case "service":
      return e.services.some((s) => has(s));
    case "method":
      return (methodOf(e) ?? "").toLowerCase() === want;
    case "id":
      return has(e.requestId) || has(e.traceId);
  }
}

export function parseFilter(text: string): RequestFilter {
  const terms = text
    .trim()
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .map((word) => {
      const colon = word.indexOf(":");
      const field = colon > 0 ? word.slice(0, colon) : "";
      if ((FIELDS as readonly string[]).includes(field)) return { field: field as Field, want: word.slice(colon + 1) };
      return { field: undefined, want: word };
    });
  if (terms.length === 0) return () => true;
  return (e) =>
    terms.every(({ field, want }) =>
      field
        ? fieldMatches(e, field, want)
        : FIELDS.some((f) => (f === "status" ? String(statusOf(e) ?? "") === want : fieldMatches(e, f, want))),
    );
}
