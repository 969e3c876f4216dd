/**
 * Benchmark rows for the element-wise kernels, at llama-7B shapes (dim 4096,
 * 32 heads × 128, hidden 11008; T = 1 and 512, 64 in quick mode) and the tiny
 * llama2.c model's (dim 64, 8 heads × 8, 4 kv heads, hidden 172).
 */
import {
  AddKernel,
  createTensor,
  EmbeddingKernel,
  KvCacheWriteKernel,
  quantizeQ8_0,
  RmsNormKernel,
  RopeKernel,
  SwiGluKernel,
  toF16,
  uploadTensor,
  type DType,
  type GpuTensor,
  type HostData,
} from '../dist/index.js';
import { permutation, randomF32, randomInts, rng } from '../dist/testing/index.js';
import type { BenchEnv, BenchRow } from './harness.ts';

/** Model shapes the rows run at. */
const MODELS = [
  { name: '7B', dim: 4096, heads: 32, kvHeads: 32, headDim: 128, hidden: 11008, vocab: 4096 },
  { name: 'tiny', dim: 64, heads: 8, kvHeads: 4, headDim: 8, hidden: 172, vocab: 512 },
] as const;
type Model = (typeof MODELS)[number];

export async function elementwiseRows(env: BenchEnv): Promise<BenchRow[]> {
  env = { ...env, time: bestOf(env) };
  const rows: BenchRow[] = [];
  const owned: GpuTensor[] = [];
  const f32 = (shape: number[]) => own(createTensor(env.gpu, 'f32', shape));
  const upload = (dtype: DType, shape: number[], data: HostData) =>
    own(uploadTensor(env.gpu, dtype, shape, data));
  function own(t: GpuTensor): GpuTensor {
    owned.push(t);
    return t;
  }
  const kernels = {
    add: new AddKernel(env.ctx),
    embed: new EmbeddingKernel(env.ctx),
    norm: new RmsNormKernel(env.ctx),
    kv: new KvCacheWriteKernel(env.ctx),
    swiglu: new SwiGluKernel(env.ctx),
  };
  const random = rng(1);

  for (const m of MODELS) {
    for (const t of m.name === 'tiny' ? [1] : [1, env.quick ? 64 : 512]) {
      const shape = `T=${t} ${m.name}`;
      const push = (kernel: string, us: number, bytes: number, flops: number) =>
        rows.push({ kernel, shape, usPerCall: us, bytes, flops });
      const n = t * m.dim;

      if (m.name === '7B') {
        const [a, b, out] = [f32([n]), f32([n]), f32([n])];
        push('add f32', await env.time((rec) => kernels.add.record(rec, a, b, out, n)), 12 * n, n);
      }

      // Embedding: random rows of a table (vocab cut to fit one lavapipe binding).
      const ids = upload('i32', [t], randomInts(t, random, m.vocab));
      const values = randomF32(m.vocab * m.dim, random);
      const tables = { f32: values, f16: toF16(values), q8_0: quantizeQ8_0(values) };
      for (const dtype of ['f32', 'f16', 'q8_0'] as const) {
        const table = upload(dtype, [m.vocab, m.dim], tables[dtype]);
        const out = f32([t, m.dim]);
        const rowBytes = { f32: 4, f16: 2, q8_0: 34 / 32 }[dtype] * m.dim;
        const us = await env.time((rec) => kernels.embed.record(rec, ids, table, out));
        push(`embedding ${dtype}`, us, 4 * t + t * rowBytes + 4 * n, 0);
      }

      // RMSNorm, plain and fused with the residual add.
      const [x, delta, normed, w] = [f32([t, m.dim]), f32([t, m.dim]), f32([t, m.dim]), f32([m.dim])];
      let us = await env.time((rec) => kernels.norm.record(rec, x, w, normed, 1e-5));
      push('rms_norm', us, 8 * n + 4 * m.dim, 4 * n);
      us = await env.time((rec) => kernels.norm.recordResidual(rec, x, delta, w, normed, 1e-5));
      push('rms_norm + residual', us, 16 * n + 4 * m.dim, 5 * n);

      rows.push(...(await ropeRows(env, m, t, shape, f32, upload)));

      // KV-cache write into shuffled blocks of 16.
      const blockSize = 16;
      const numBlocks = Math.ceil(t / blockSize) * 2;
      const kvShape = [t, m.kvHeads, m.headDim];
      const kvn = t * m.kvHeads * m.headDim;
      const pool = permutation(numBlocks, random);
      const slots = upload(
        'i32',
        [t],
        Int32Array.from(
          { length: t },
          (_, p) => pool[Math.floor(p / blockSize)]! * blockSize + (p % blockSize),
        ),
      );
      const cacheShape = [numBlocks, m.kvHeads, blockSize, m.headDim];
      const [k, v, kc, vc] = [f32(kvShape), f32(kvShape), f32(cacheShape), f32(cacheShape)];
      us = await env.time((rec) => kernels.kv.record(rec, k, v, slots, kc, vc));
      push(`kv_cache_write ${m.kvHeads}×${m.headDim} bs${blockSize}`, us, 16 * kvn + 4 * t, 0);

      // SwiGLU, separate and fused gate/up.
      const hn = t * m.hidden;
      const [gate, up, gateUp, act] = [
        f32([t, m.hidden]),
        f32([t, m.hidden]),
        f32([t, 2 * m.hidden]),
        f32([t, m.hidden]),
      ];
      us = await env.time((rec) => kernels.swiglu.record(rec, gate, up, act));
      push(`swiglu ${m.hidden}`, us, 12 * hn, 5 * hn);
      us = await env.time((rec) => kernels.swiglu.recordFused(rec, gateUp, act));
      push(`swiglu fused ${m.hidden}`, us, 12 * hn, 5 * hn);

      for (const o of owned.splice(0)) o.buffer.destroy();
    }
  }
  return rows;
}

/** RoPE over q and k, both layouts. */
async function ropeRows(
  env: BenchEnv,
  m: Model,
  t: number,
  shape: string,
  f32: (shape: number[]) => GpuTensor,
  upload: (dtype: DType, shape: number[], data: HostData) => GpuTensor,
): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const q = f32([t, m.heads, m.headDim]);
  const k = f32([t, m.kvHeads, m.headDim]);
  const positions = upload('i32', [t], randomInts(t, rng(2), 32768));
  const elems = t * (m.heads + m.kvHeads) * m.headDim;
  for (const layout of ['adjacent', 'neox'] as const) {
    const rope = new RopeKernel(env.ctx, { layout, base: 10000, headDim: m.headDim });
    const us = await env.time((rec) => rope.record(rec, q, k, positions));
    // Per pair: 4 multiplies and 2 adds; sin/cos once per (token, pair).
    rows.push({
      kernel: `rope ${layout} ${m.heads}/${m.kvHeads}×${m.headDim}`,
      shape,
      usPerCall: us,
      bytes: 8 * elems + 4 * t,
      flops: 3 * elems,
    });
    rope.destroy();
  }
  return rows;
}

/**
 * The fastest of three timings (one in quick mode): other work on the
 * machine only ever slows a run down, so the minimum is the least noisy.
 */
function bestOf(env: BenchEnv): BenchEnv['time'] {
  return async (record, calls) => {
    let best = Infinity;
    for (let i = 0; i < (env.quick ? 1 : 3); i++) best = Math.min(best, await env.time(record, calls));
    return best;
  };
}
