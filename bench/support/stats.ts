/** Small statistics helpers; samples are plain numbers. */

export function median(samples: readonly number[]): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Nearest-rank percentile of sorted or unsorted samples (p in 0..100). */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1];
}

/** library / baseline; NaN when either is missing. */
export function ratio(library: number | undefined, baseline: number | undefined): number {
  if (library === undefined || baseline === undefined || !(baseline > 0)) return Number.NaN;
  return library / baseline;
}

/** Operations per second of `ops` done in `ms` milliseconds. */
export function perSecond(ops: number, ms: number): number {
  return (ops * 1000) / ms;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Measures one async run; returns its duration in ms. */
export async function time(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}
