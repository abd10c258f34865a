/** Summary of a row's samples, in the units of the JSON report. */
export interface RowResult {
  name: string;
  median_ms: number;
  p95_ms: number;
  ops_per_s: number;
  floor_ms: number | null;
  ratio: number | null;
  samples: number;
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

export function summarize(name: string, samples: number[]): RowResult {
  const sorted = [...samples].sort((a, b) => a - b);
  const total = samples.reduce((a, b) => a + b, 0);
  return {
    name,
    median_ms: percentile(sorted, 50),
    p95_ms: percentile(sorted, 95),
    ops_per_s: total > 0 ? (samples.length * 1000) / total : 0,
    floor_ms: null,
    ratio: null,
    samples: samples.length,
  };
}
