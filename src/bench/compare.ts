import type { Metric } from "./row.js";
import type { RowResult } from "./stats.js";

/** The parts of a `--json` report that --compare reads (older reports have rows only). */
export interface CompareReport {
  rows: Array<Omit<RowResult, "samples"> & { samples?: number }>;
  metrics?: Metric[];
}

/** A change below this is noise on a shared 2-core machine: printed, not flagged. */
const NOISE = 0.1;

/**
 * `--compare old.json`: per row the old and new median and the change (a latency going down is better),
 * then each metric with a limit; rows only in one of the reports are named as such.
 */
export function compareReports(old: CompareReport, now: CompareReport): string[] {
  const lines = ["change against the earlier report (median; - is faster):"];
  const header = ["name", "old ms", "new ms", "change", ""];
  const body: string[][] = [];
  const oldRows = new Map(old.rows.map((r) => [r.name, r]));
  for (const r of now.rows) {
    const o = oldRows.get(r.name);
    if (!o) {
      body.push([r.name, "-", r.median_ms.toFixed(3), "new", ""]);
      continue;
    }
    body.push([
      r.name,
      o.median_ms.toFixed(3),
      r.median_ms.toFixed(3),
      pct(o.median_ms, r.median_ms),
      flag(o.median_ms, r.median_ms, false),
    ]);
  }
  for (const o of old.rows) if (!now.rows.some((r) => r.name === o.name)) body.push([o.name, o.median_ms.toFixed(3), "-", "not run", ""]);
  const oldMetrics = new Map((old.metrics ?? []).map((m) => [`${m.row} ${m.name}`, m]));
  for (const m of now.metrics ?? []) {
    const o = oldMetrics.get(`${m.row} ${m.name}`);
    const higherIsBetter = m.min !== undefined && m.max === undefined;
    body.push([
      `${m.row}: ${m.name} (${m.unit})`,
      o ? num(o.value) : "-",
      num(m.value),
      o ? pct(o.value, m.value) : "new",
      o ? flag(o.value, m.value, higherIsBetter) : "",
    ]);
  }
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] as string).length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join("  ");
  lines.push(line(header), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(line));
  return lines;
}

function pct(before: number, after: number): string {
  if (!Number.isFinite(before) || !Number.isFinite(after)) return "-";
  if (before === 0) return after === 0 ? "0.0%" : "+inf";
  const p = ((after - before) / before) * 100;
  return `${p >= 0 ? "+" : ""}${p.toFixed(1)}%`;
}

function flag(before: number, after: number, higherIsBetter: boolean): string {
  if (!(before > 0) || !Number.isFinite(after)) return "";
  const change = (after - before) / before;
  if (Math.abs(change) < NOISE) return "";
  return change > 0 === higherIsBetter ? "better" : "WORSE";
}

function num(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(3);
}
