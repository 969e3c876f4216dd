/** Benchmark rows for the matmul kernels. */
import type { BenchEnv, BenchRow } from './harness.ts';

export async function matmulRows(_env: BenchEnv): Promise<BenchRow[]> {
  return [];
}
