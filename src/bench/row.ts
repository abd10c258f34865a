/**
 * A benchmark row: something timed many times. `run` returns one latency per operation, in
 * milliseconds; the harness turns them into median/p95/ops/s. `floorOf` names the row that is this
 * row's lower bound (e.g. raw ZeroMQ for RPC), and the table shows the ratio to it.
 */
export interface BenchRow {
  name: string;
  floorOf?: string;
  /** What the row is held to, printed under the table (e.g. "median <= 2x floor"). */
  target?: { maxRatio?: number; maxExtraMs?: number };
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
