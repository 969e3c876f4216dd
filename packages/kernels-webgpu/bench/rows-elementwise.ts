/** Benchmark rows for the element-wise kernels. */
import { AddKernel, createTensor } from '../dist/index.js';
import type { BenchEnv, BenchRow } from './harness.ts';

export async function elementwiseRows(env: BenchEnv): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const add = new AddKernel(env.ctx);
  for (const [t, dim] of [
    [1, 4096],
    [512, 4096],
  ] as const) {
    const n = t * dim;
    const [a, b, out] = [0, 1, 2].map(() => createTensor(env.gpu, 'f32', [n]));
    const us = await env.time((rec) => add.record(rec, a!, b!, out!, n));
    rows.push({ kernel: 'add f32', shape: `${t}×${dim}`, usPerCall: us, bytes: 12 * n, flops: n });
  }
  return rows;
}
