import type { SpanKind } from "../engine/common/trace/span.js";

/** Semantic colours: components ask for "error" or "muted", never for "red". */
export const theme = {
  accent: "cyan",
  muted: "gray",
  error: "red",
  ok: "green",
  warn: "yellow",
  selected: "blue",
  kind: {
    wsgi: "blue",
    http: "cyan",
    rpc: "magenta",
    db: "yellow",
    driver: "green",
    internal: "white",
  } satisfies Record<SpanKind, string>,
  hop: { request: "white", http: "cyan", call: "yellow", cast: "magenta", local: "green", reply: "gray", step: "green" },
} as const;

export function statusColor(status: number | null): string | undefined {
  if (status === null) return undefined;
  if (status >= 500) return theme.error;
  if (status >= 400) return theme.warn;
  return theme.ok;
}
