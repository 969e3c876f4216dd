/**
 * Benchmark rows for the matmul kernels: decode (T = 1) and prefill (T = 512)
 * at 4096² for each weight dtype, the GEMV forced to T = 512 for the per-FLOP
 * comparison, the tiny model's layers, a llama FFN up-projection in Q8_0, and
 * decode at a 1B-class model's FFN shapes (2048 → 8192 → 2048) in Q8_0 and
 * the K-quants.
 */
import {
  byteSize,
  createTensor,
  f32ToF16Bits,
  isKQuant,
  K_QUANT_BLOCK_BYTES,
  MatmulKernel,
  QK_K,
  writeTensor,
  type GpuTensor,
  type KQuantDType,
  type MatmulPath,
  type MatmulWeightDType,
} from '../dist/index.js';
import { encodeWeights, randomF32, rng } from '../dist/testing/index.js';
import type { BenchEnv, BenchRow } from './harness.ts';

type WeightDType = MatmulWeightDType;

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
  const floats: WeightDType[] = ['f32', 'f16', 'q8_0'];
  const kQuants: KQuantDType[] = ['q4_k', 'q5_k', 'q6_k'];
  const dtypes = [...floats, ...kQuants];
  const small = quick ? 512 : 2048;
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
    ...floats.map((dtype) => ({ dtype, t: prefillT, k: big, n: big, path: 'gemv' as const, calls: 1 })),
    ...tiny,
    { dtype: 'q8_0', t: 1, k: big, n: quick ? 2752 : 11008, label: 'ffn', reps: 3 },
    ...(['q8_0', ...kQuants] as const).flatMap((dtype) => [
      { dtype, t: 1, k: small, n: 4 * small, label: '1B', reps: 3 },
      { dtype, t: 1, k: 4 * small, n: small, label: '1B', reps: 3 },
    ]),
  ];
}

/**
 * Weights for timing: quantised from random values, except K-quants, whose
 * reference quantiser takes ~2 ms a block: random blocks with small f16
 * scales instead (their decoding costs the same whatever the bits).
 */
function benchWeights(dtype: WeightDType, n: number, k: number): Uint8Array | Float32Array | Uint16Array {
  if (!isKQuant(dtype)) return encodeWeights(dtype, randomF32(n * k, rng(n + k))).data;
  const data = new Uint8Array(byteSize(dtype, n * k));
  const random = rng(n + k);
  for (let i = 0; i < data.length; i++) data[i] = random() * 256;
  const blocks = (n * k) / QK_K;
  const scale = f32ToF16Bits(1e-3);
  // Q4_K/Q5_K: d and dmin open each block; Q6_K (GPU layout): all the d's follow the blocks' bodies.
  const halves =
    dtype === 'q6_k'
      ? Array.from({ length: blocks }, (_, b) => blocks * 208 + 2 * b)
      : Array.from({ length: 2 * blocks }, (_, i) => (i >> 1) * K_QUANT_BLOCK_BYTES[dtype] + 2 * (i & 1));
  for (const at of halves) [data[at], data[at + 1]] = [scale & 0xff, scale >> 8];
  return data;
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
      writeTensor(env.gpu, w, benchWeights(c.dtype, c.n, c.k));
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
