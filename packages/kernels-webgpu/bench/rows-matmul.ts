/**
 * Benchmark rows for the matmul kernels: decode (T = 1) and prefill (T = 512)
 * at 4096² for each weight dtype, the GEMV forced to T = 512 for the per-FLOP
 * comparison, the tiny model's layers, and a llama FFN up-projection in Q8_0.
 */
import {
  byteSize,
  createTensor,
  MatmulKernel,
  writeTensor,
  type GpuTensor,
  type MatmulPath,
} from '../dist/index.js';
import { encodeWeights, randomF32, rng } from '../dist/testing/index.js';
import type { BenchEnv, BenchRow } from './harness.ts';

type WeightDType = 'f32' | 'f16' | 'q8_0';

interface Case {
  readonly dtype: WeightDType;
  readonly t: number;
  readonly k: number;
  readonly n: number;
  readonly label?: string;
  readonly path?: MatmulPath;
  /** Calls per timing: few for the slow rows, many for the µs-scale ones (timestamps tick in 65.5 µs here). */
  readonly calls?: number;
  /** Timings to take the fastest of: other processes share the CPU lavapipe runs on. */
  readonly reps?: number;
}

function cases(quick: boolean): Case[] {
  const big = quick ? 1024 : 4096;
  const prefillT = quick ? 64 : 512;
  const dtypes: WeightDType[] = ['f32', 'f16', 'q8_0'];
  const tiny = [
    [64, 64],
    [64, 172],
    [172, 64],
    [64, 512],
  ].flatMap(([k, n]) =>
    [1, 32].map((t) => ({ dtype: 'f32' as const, t, k: k!, n: n!, label: 'tiny', calls: 200, reps: 3 })),
  );
  return [
    ...dtypes.map((dtype) => ({ dtype, t: 1, k: big, n: big, reps: 3 })),
    ...dtypes.map((dtype) => ({ dtype, t: prefillT, k: big, n: big, calls: 2, reps: 2 })),
    ...dtypes.map((dtype) => ({ dtype, t: prefillT, k: big, n: big, path: 'gemv' as const, calls: 1 })),
    ...tiny,
    { dtype: 'q8_0', t: 1, k: big, n: quick ? 2752 : 11008, label: 'ffn', reps: 3 },
  ];
}

export async function matmulRows(env: BenchEnv): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const mm = new MatmulKernel(env.ctx);
  const weights = new Map<string, GpuTensor>();
  for (const c of cases(env.quick)) {
    const key = `${c.dtype}:${c.n}x${c.k}`;
    let w = weights.get(key);
    if (!w) {
      w = createTensor(env.gpu, c.dtype, [c.n, c.k]);
      writeTensor(env.gpu, w, encodeWeights(c.dtype, randomF32(c.n * c.k, rng(c.n + c.k))).data);
      weights.set(key, w);
    }
    const x = createTensor(env.gpu, 'f32', [c.t, c.k]);
    writeTensor(env.gpu, x, randomF32(c.t * c.k, rng(c.t)));
    const y = createTensor(env.gpu, 'f32', [c.t, c.n]);
    const path = c.path ?? mm.pathFor(c.t);
    let us = Infinity;
    for (let i = 0; i < (env.quick ? 1 : (c.reps ?? 1)); i++)
      us = Math.min(us, await env.time((rec) => mm.record(rec, x, w, y, { path }), c.calls));
    rows.push({
      kernel: `matmul ${path}${c.path ? ' (forced)' : ''} ${c.dtype}${c.label ? ` ${c.label}` : ''}`,
      shape: `T=${c.t} ${c.k}→${c.n}`,
      usPerCall: us,
      bytes: byteSize(c.dtype, c.n * c.k) + 4 * c.t * (c.k + c.n),
      flops: 2 * c.t * c.n * c.k,
    });
    x.buffer.destroy();
    y.buffer.destroy();
  }
  for (const w of weights.values()) w.buffer.destroy();
  mm.destroy();
  return rows;
}
