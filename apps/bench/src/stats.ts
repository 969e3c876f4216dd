/**
 * Summary statistics with numpy's definitions, so the figures match vLLM's
 * `bench serve` for the same samples: population standard deviation
 * (`np.std`), and percentiles by linear interpolation between the closest
 * ranks (`np.percentile`'s default).
 * @module
 */

/** Mean, median, standard deviation and chosen percentiles of a sample. */
export interface Distribution {
  readonly count: number;
  readonly mean: number;
  readonly median: number;
  readonly std: number;
  readonly min: number;
  readonly max: number;
  /** Percentile (0–100) to value. */
  readonly percentiles: ReadonlyMap<number, number>;
}

/** The arithmetic mean; 0 for no values (vLLM reports 0 when nothing succeeded). */
export function mean(values: readonly number[]): number {
  if (values.length === 0) return 0;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/** The population standard deviation (numpy's default, ddof = 0). */
export function std(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const m = mean(values);
  let sum = 0;
  for (const v of values) sum += (v - m) ** 2;
  return Math.sqrt(sum / values.length);
}

/** The `p`-th percentile (0–100) of values sorted ascending, interpolated linearly. */
export function percentileOfSorted(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  const a = sorted[lo]!;
  return a + (sorted[hi]! - a) * (rank - lo);
}

/** The `p`-th percentile (0–100) of unsorted values. */
export function percentile(values: readonly number[], p: number): number {
  return percentileOfSorted(
    [...values].sort((a, b) => a - b),
    p,
  );
}

/** Summarizes a sample; every figure is 0 for an empty one. */
export function describe(values: readonly number[], percentiles: readonly number[]): Distribution {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    count: sorted.length,
    mean: mean(sorted),
    median: percentileOfSorted(sorted, 50),
    std: std(sorted),
    min: sorted[0] ?? 0,
    max: sorted.at(-1) ?? 0,
    percentiles: new Map(percentiles.map((p) => [p, percentileOfSorted(sorted, p)])),
  };
}
