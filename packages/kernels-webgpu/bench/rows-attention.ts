/** Benchmark rows for the attention kernels. */
import type { BenchEnv, BenchRow } from './harness.ts';

export async function attentionRows(_env: BenchEnv): Promise<BenchRow[]> {
  return [];
}
