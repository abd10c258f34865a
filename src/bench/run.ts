import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import type { Budget, BenchRow } from "./row.js";
import { ROWS } from "./rows/index.js";
import { type RowResult, summarize } from "./stats.js";

/**
 * `npm run bench -- [--only REGEX] [--json FILE] [--max-ms N] [--samples N]`: runs the rows (and the
 * floor rows they compare to), prints one table, and optionally writes the JSON report.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      only: { type: "string" },
      json: { type: "string" },
      "max-ms": { type: "string", default: "5000" },
      samples: { type: "string", default: "20000" },
      warmup: { type: "string", default: "300" },
    },
  });
  let only: RegExp | undefined;
  try {
    only = values.only ? new RegExp(values.only) : undefined;
  } catch (err) {
    console.error(`--only: invalid regular expression: ${(err as Error).message}`);
    process.exit(2);
  }
  const budget: Budget = { maxMs: Number(values["max-ms"]), maxSamples: Number(values.samples), warmup: Number(values.warmup) };
  for (const [k, v] of Object.entries(budget)) {
    if (!Number.isFinite(v) || v < 0) {
      console.error(`--${k}: expected a non-negative number`);
      process.exit(2);
    }
  }

  const selected = ROWS.filter((r) => !only || only.test(r.name));
  if (selected.length === 0) {
    console.error(`no row matches --only ${values.only}; rows: ${ROWS.map((r) => r.name).join(", ")}`);
    process.exit(2);
  }
  const rows = new Map<string, BenchRow>();
  for (const entry of selected) rows.set(entry.name, await entry.load());
  // A selected row's floor runs too (first), or there is nothing to compare to.
  const ordered: BenchRow[] = [];
  for (const entry of ROWS) {
    const row = rows.get(entry.name);
    if (!row) continue;
    if (row.floorOf && !rows.has(row.floorOf) && !ordered.some((r) => r.name === row.floorOf)) {
      const floor = ROWS.find((r) => r.name === row.floorOf);
      if (floor) ordered.push(await floor.load());
    }
    ordered.push(row);
  }

  const results: RowResult[] = [];
  const targets: string[] = [];
  for (const row of ordered) {
    process.stderr.write(`running ${row.name} ...\n`);
    const res = summarize(row.name, await row.run(budget));
    const floor = row.floorOf ? results.find((r) => r.name === row.floorOf) : undefined;
    if (floor) {
      res.floor_ms = floor.median_ms;
      res.ratio = res.median_ms / floor.median_ms;
      if (row.target?.maxRatio !== undefined)
        targets.push(
          verdict(
            row.name,
            `median ${fmt(res.median_ms)} ms <= ${row.target.maxRatio}x floor (${fmt(row.target.maxRatio * floor.median_ms)} ms)`,
            res.ratio <= row.target.maxRatio,
          ),
        );
      if (row.target?.maxExtraMs !== undefined) {
        const extra = res.median_ms - floor.median_ms;
        targets.push(
          verdict(
            row.name,
            `median +${fmt(extra * 1000, 1)} µs over floor <= +${fmt(row.target.maxExtraMs * 1000, 0)} µs`,
            extra <= row.target.maxExtraMs,
          ),
        );
      }
    }
    results.push(res);
  }

  printTable(results);
  for (const t of targets) console.log(t);
  if (values.json) {
    const rowsOut = results.map(({ samples: _s, ...r }) => r);
    writeFileSync(values.json, `${JSON.stringify({ rows: rowsOut }, null, 2)}\n`);
  }
  // Peers and sockets are closed; leave nothing behind that keeps the process up.
  process.exit(0);
}

function verdict(name: string, what: string, ok: boolean): string {
  return `${ok ? "ok  " : "MISS"} ${name}: ${what}`;
}

function fmt(n: number | null, digits = 3): string {
  return n === null || Number.isNaN(n) ? "-" : n.toFixed(digits);
}

function printTable(results: RowResult[]): void {
  const header = ["name", "median ms", "p95 ms", "ops/s", "floor ms", "ratio", "samples"];
  const body = results.map((r) => [
    r.name,
    fmt(r.median_ms),
    fmt(r.p95_ms),
    r.ops_per_s.toFixed(0),
    fmt(r.floor_ms),
    r.ratio === null ? "-" : `${r.ratio.toFixed(2)}x`,
    String(r.samples),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] as string).length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join("  ");
  console.log(line(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const row of body) console.log(line(row));
}

main().catch((err) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
