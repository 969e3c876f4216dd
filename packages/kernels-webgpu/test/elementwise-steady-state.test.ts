import { expect, test } from '@jest/globals';
import {
  createTensor,
  EmbeddingKernel,
  KvCacheWriteKernel,
  RmsNormKernel,
  RopeKernel,
  SwiGluKernel,
  uploadTensor,
  type Recorder,
} from '../src/index.js';
import { randomF32, randomInts, rng } from '../src/testing/index.js';
import { run, useGpu } from './gpu-fixture.js';

const f = useGpu();

test('a steady state of all element-wise kernels builds no pipelines or bind groups', async () => {
  const [tokens, dim, heads, headDim, hidden] = [3, 64, 4, 16, 44];
  const random = rng(11);
  const x = uploadTensor(f.gpu, 'f32', [tokens, dim], randomF32(tokens * dim, random));
  const w = uploadTensor(f.gpu, 'f32', [dim], randomF32(dim, random));
  const ids = uploadTensor(f.gpu, 'i32', [tokens], randomInts(tokens, random, 10));
  const table = uploadTensor(f.gpu, 'f32', [10, dim], randomF32(10 * dim, random));
  const out = createTensor(f.gpu, 'f32', [tokens, dim]);
  const q = createTensor(f.gpu, 'f32', [tokens, heads, headDim]);
  const k = createTensor(f.gpu, 'f32', [tokens, heads, headDim]);
  const v = createTensor(f.gpu, 'f32', [tokens, heads, headDim]);
  const cache = [0, 1].map(() => createTensor(f.gpu, 'f32', [2, heads, 8, headDim]));
  const gateUp = createTensor(f.gpu, 'f32', [tokens, 2 * hidden]);
  const act = createTensor(f.gpu, 'f32', [tokens, hidden]);
  const embed = new EmbeddingKernel(f.ctx);
  const norm = new RmsNormKernel(f.ctx);
  const rope = new RopeKernel(f.ctx, { layout: 'adjacent', base: 10000, headDim });
  const kv = new KvCacheWriteKernel(f.ctx);
  const swiglu = new SwiGluKernel(f.ctx);
  const normed = createTensor(f.gpu, 'f32', [tokens, dim]);
  const step = (rec: Recorder) => {
    embed.record(rec, ids, table, out);
    norm.recordResidual(rec, out, x, w, normed, 1e-5);
    rope.record(rec, q, k, ids);
    kv.record(rec, k, v, ids, cache[0]!, cache[1]!);
    swiglu.recordFused(rec, gateUp, act);
  };
  // Count bind groups the context creates (the first step must create some).
  const createBindGroup = f.gpu.device.createBindGroup;
  let created = 0;
  f.gpu.device.createBindGroup = (d) => (created++, createBindGroup.call(f.gpu.device, d));
  try {
    await run(f, step);
    expect(created).toBeGreaterThan(0);
    const pipelines = f.ctx.numPipelines;
    created = 0;
    await run(f, step);
    expect(f.ctx.numPipelines).toBe(pipelines);
    expect(created).toBe(0);
  } finally {
    f.gpu.device.createBindGroup = createBindGroup;
  }
  rope.destroy();
});
