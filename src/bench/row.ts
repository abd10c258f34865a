/**
 * A benchmark row: something timed many times. `run` returns one latency per operation, in
 * milliseconds; the harness turns them into median/p95/ops/s. `floorOf` names the row that is this
 * row's lower bound (e.g. raw ZeroMQ for RPC), and the table shows the ratio to it.
 */
export interface BenchRow {
  name: string;
  floorOf?: string;
  /**
   * What the row is held to, printed under the table: relative to its floor (`maxRatio`, `maxExtraMs`)
   * and/or absolute (`maxMedianMs`: median latency at most; `minOpsPerS`: throughput at least).
   */
  target?: { maxRatio?: number; maxExtraMs?: number; maxMedianMs?: number; minOpsPerS?: number };
  run(budget: Budget): Promise<number[]>;
}

/** How long a row may take: it stops sampling at whichever limit comes first. */
export interface Budget {
  warmup: number;
  maxSamples: number;
  maxMs: number;
}

/** Time `op` sequentially, after a warm-up, within the budget. */
export async function sample(budget: Budget, op: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < budget.warmup; i++) await op();
  const out: number[] = [];
  const stopAt = performance.now() + budget.maxMs;
  while (out.length < budget.maxSamples && performance.now() < stopAt) {
    const t = performance.now();
    await op();
    out.push(performance.now() - t);
  }
  return out;
}

/**
 * A figure a row measures besides its latencies (total RSS, a count that must be zero, a ratio to a
 * real OpenStack service), with its own limit: the harness prints it with a verdict, writes it to the
 * JSON report and compares it with --compare.
 */
export interface Metric {
  row: string;
  name: string;
  value: number;
  unit: string;
  max?: number;
  min?: number;
}

const metrics: Metric[] = [];
const cleanups: Array<() => Promise<void>> = [];

export function recordMetric(m: Metric): void {
  metrics.push(m);
  const limit = m.max !== undefined ? ` (<= ${m.max})` : m.min !== undefined ? ` (>= ${m.min})` : "";
  process.stderr.write(`  ${m.row}: ${m.name} = ${fmtNum(m.value)} ${m.unit}${limit}\n`);
}

export function recordedMetrics(): Metric[] {
  return metrics;
}

/** Something shared by several rows (a cloud) to stop once every row ran. */
export function onBenchExit(fn: () => Promise<void>): void {
  cleanups.push(fn);
}

export async function runBenchExit(): Promise<void> {
  for (const fn of cleanups.splice(0).reverse())
    await fn().catch((err) => process.stderr.write(`cleanup failed: ${(err as Error).message}\n`));
}

function fmtNum(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(3);
}
