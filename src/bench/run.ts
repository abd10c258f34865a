import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { type CompareReport, compareReports } from "./compare.js";
import { type Budget, type BenchRow, recordedMetrics, runBenchExit } from "./row.js";
import { ROWS } from "./rows/index.js";
import { type RowResult, summarize } from "./stats.js";

/**
 * `npm run bench -- [--only REGEX] [--json FILE] [--compare OLD.json] [--max-ms N] [--samples N]`: runs
 * the rows (and the floor rows they compare to), prints one table with each row next to its floor, the
 * targets with a verdict, optionally writes the JSON report, and with --compare the change per row
 * against an earlier report.
 */
const USAGE = "usage: npm run bench -- [--only REGEX] [--json FILE] [--compare OLD.json] [--max-ms N] [--samples N] [--warmup N]";

function options() {
  try {
    return parseArgs({
      options: {
        only: { type: "string" },
        json: { type: "string" },
        compare: { type: "string" },
        "max-ms": { type: "string", default: "5000" },
        samples: { type: "string", default: "20000" },
        warmup: { type: "string", default: "300" },
        help: { type: "boolean", short: "h" },
      },
    }).values;
  } catch (err) {
    // An unknown option or a missing value: say which, and how to call it, without a stack trace.
    console.error(`${(err as Error).message.split("\n")[0]}\n${USAGE}`);
    process.exit(2);
  }
}

async function main(): Promise<void> {
  const values = options();
  if (values.help) {
    console.log(`${USAGE}\nrows: ${ROWS.map((r) => r.name).join(", ")}`);
    return;
  }
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

  // Read the old report first: a typo should not cost a whole run.
  let old: CompareReport | undefined;
  if (values.compare) {
    try {
      old = JSON.parse(readFileSync(values.compare, "utf8")) as CompareReport;
      if (!Array.isArray(old.rows)) throw new Error("no `rows` list in it");
    } catch (err) {
      console.error(`--compare ${values.compare}: ${(err as Error).message}`);
      process.exit(2);
    }
  }

  const results: RowResult[] = [];
  const failures: Array<{ name: string; error: string }> = [];
  const targets: string[] = [];
  for (const row of ordered) {
    process.stderr.write(`running ${row.name} ...\n`);
    let samples: number[];
    try {
      samples = await row.run(budget);
    } catch (err) {
      // One broken row must not hide the others (nor leave a cloud running): report it and go on.
      const error = (err as Error)?.message ?? String(err);
      process.stderr.write(`FAILED ${row.name}: ${error}\n`);
      failures.push({ name: row.name, error });
      continue;
    }
    const res = summarize(row.name, samples);
    if (row.target?.maxMedianMs !== undefined)
      targets.push(
        verdict(row.name, `median ${fmt(res.median_ms)} ms <= ${row.target.maxMedianMs} ms`, res.median_ms <= row.target.maxMedianMs),
      );
    if (row.target?.minOpsPerS !== undefined)
      targets.push(
        verdict(row.name, `${res.ops_per_s.toFixed(1)} ops/s >= ${row.target.minOpsPerS} ops/s`, res.ops_per_s >= row.target.minOpsPerS),
      );
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

  await runBenchExit();
  printTable(results);
  const metrics = recordedMetrics();
  for (const m of metrics) {
    const limit = m.max !== undefined ? `<= ${m.max}` : m.min !== undefined ? `>= ${m.min}` : undefined;
    const what = `${m.name} ${fmt(m.value, Number.isInteger(m.value) ? 0 : 3)} ${m.unit}`;
    if (limit)
      targets.push(
        verdict(m.row, `${what} ${limit}`, (m.max === undefined || m.value <= m.max) && (m.min === undefined || m.value >= m.min)),
      );
    else targets.push(`     ${m.row}: ${what}`);
  }
  if (targets.length) console.log("");
  for (const t of targets) console.log(t);
  for (const f of failures) console.log(`FAIL ${f.name}: ${f.error}`);
  const rowsOut = results.map(({ samples: _s, ...r }) => r);
  if (old) {
    console.log("");
    for (const line of compareReports(old, { rows: rowsOut, metrics })) console.log(line);
  }
  if (values.json)
    writeFileSync(values.json, `${JSON.stringify({ at: new Date().toISOString(), rows: rowsOut, metrics, targets, failures }, null, 2)}\n`);
  if (failures.length) process.exit(1);
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

main().catch(async (err) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  await runBenchExit();
  process.exit(1);
});
