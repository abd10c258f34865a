import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { SpanRecord } from "../../src/engine/common/trace/span.js";

export const FIXTURES = join(import.meta.dirname, "..", "..", "fixtures", "traces");

/** Recorded spans of one flow (fixtures/traces/<name>.json), optionally moved so the trace starts at `at`. */
export function loadTrace(name: "server-create" | "token-issue" | "image-upload-error", at?: number): SpanRecord[] {
  const spans = JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), "utf8")) as SpanRecord[];
  if (at === undefined) return spans;
  const t0 = Math.min(...spans.map((s) => s.start));
  return spans.map((s) => ({ ...s, start: s.start - t0 + at, end: s.end - t0 + at }));
}

export const allFixtures = (): SpanRecord[] => [
  ...loadTrace("server-create"),
  ...loadTrace("token-issue"),
  ...loadTrace("image-upload-error"),
];

/** The order a collector would store them in: a span is exported when it ends. */
export const byEnd = (spans: SpanRecord[]) => [...spans].sort((a, b) => a.end - b.end);
