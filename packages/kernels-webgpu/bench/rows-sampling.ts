/** Benchmark rows for the sampling kernels. */
import type { BenchEnv, BenchRow } from './harness.ts';

export async function samplingRows(_env: BenchEnv): Promise<BenchRow[]> {
  return [];
}
