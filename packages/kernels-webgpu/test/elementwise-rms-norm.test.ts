import { describe, expect, test } from '@jest/globals';
import { createTensor, readF32, RmsNormKernel, uploadTensor } from '../src/index.js';
import { assertClose, poison, randomF32, rmsNormRef, rmsNormResidualRef, rng } from '../src/testing/index.js';
import { run, useGpu } from './gpu-fixture.js';

const f = useGpu();

// The f32 sum of squares of a 4096 row goes through at most ~70 roundings
// (64 serial vec4 adds per invocation at 16 invocations, the lane sum, then
// the subgroup or tree levels and the partials), 2^-24 each and all terms
// positive: under 5e-6 relative, so under 2.5e-6 after the square root; the
// mean, inverseSqrt (2 ulp) and two products add ~4 ulp. Every output is a
// product, so the bound is relative per element. Measured: ~2e-7.
const TOL = { rtol: 1e-5, atol: 0 };
// The updated residual h is one f32 rounding of h + delta.
const ADD_TOL = { rtol: 6e-8, atol: 0 };

const SHAPES = [
  [1, 8],
  [3, 64],
  [5, 128],
  [7, 33],
  [2, 1],
  [4, 1000],
  [2, 4096],
  [70, 5],
] as const;

// Both reductions, at the default workgroup size (from the subgroup size)
// and at sizes the device's default does not pick.
describe.each([
  [true, undefined],
  [false, undefined],
  [true, 64],
  [false, 256],
])('RmsNormKernel (subgroups %s, workgroup %s)', (subgroups, workgroupSize) => {
  const kernel = () =>
    new RmsNormKernel(f.ctx, { subgroups: subgroups && f.gpu.caps.subgroups, workgroupSize });

  test.each(SHAPES)('out = rmsnorm(x) * w, [%i, %i]', async (rows, dim) => {
    const random = rng(rows * 1000 + dim);
    const x = randomF32(rows * dim, random, 3);
    const w = randomF32(dim, random);
    const tx = uploadTensor(f.gpu, 'f32', [rows, dim], x);
    const tw = uploadTensor(f.gpu, 'f32', [dim], w);
    const out = createTensor(f.gpu, 'f32', [rows, dim]);
    poison(f.gpu, out);
    const norm = kernel();
    await run(f, (rec) => norm.record(rec, tx, tw, out, 1e-5));
    assertClose(await readF32(f.gpu, out), rmsNormRef(x, w, 1e-5), TOL);
  });

  test.each(SHAPES)('h += delta; out = rmsnorm(h) * w, [%i, %i]', async (rows, dim) => {
    const random = rng(rows * 1000 + dim + 1);
    const h = randomF32(rows * dim, random, 3);
    const delta = randomF32(rows * dim, random, 3);
    const w = randomF32(dim, random);
    const th = uploadTensor(f.gpu, 'f32', [rows, dim], h);
    const td = uploadTensor(f.gpu, 'f32', [rows, dim], delta);
    const tw = uploadTensor(f.gpu, 'f32', [dim], w);
    const out = createTensor(f.gpu, 'f32', [rows, dim]);
    poison(f.gpu, out);
    const norm = kernel();
    await run(f, (rec) => norm.recordResidual(rec, th, td, tw, out, 1e-6));
    const want = rmsNormResidualRef(h, delta, w, 1e-6);
    assertClose(await readF32(f.gpu, th), want.h, ADD_TOL, 'h');
    assertClose(await readF32(f.gpu, out), want.out, TOL, 'out');
  });
});

test('more rows than one grid dimension holds', async () => {
  const [rows, dim] = [70_000, 2];
  const random = rng(99);
  const x = randomF32(rows * dim, random);
  const w = randomF32(dim, random);
  const tx = uploadTensor(f.gpu, 'f32', [rows, dim], x);
  const tw = uploadTensor(f.gpu, 'f32', [dim], w);
  const out = createTensor(f.gpu, 'f32', [rows, dim]);
  poison(f.gpu, out);
  const norm = new RmsNormKernel(f.ctx);
  await run(f, (rec) => norm.record(rec, tx, tw, out, 1e-5));
  assertClose(await readF32(f.gpu, out), rmsNormRef(x, w, 1e-5), TOL);
});

test('rejects a workgroup size that is not a power of two in [16, 256]', () => {
  for (const workgroupSize of [8, 48, 512])
    expect(() => new RmsNormKernel(f.ctx, { workgroupSize })).toThrow(/workgroupSize/);
});

test('eps matters for a zero row', async () => {
  // rmsnorm(0) = 0 only because eps keeps the scale finite.
  const tx = uploadTensor(f.gpu, 'f32', [1, 8], new Float32Array(8));
  const tw = uploadTensor(f.gpu, 'f32', [8], randomF32(8, rng(3)));
  const out = createTensor(f.gpu, 'f32', [1, 8]);
  poison(f.gpu, out);
  const norm = new RmsNormKernel(f.ctx);
  await run(f, (rec) => norm.record(rec, tx, tw, out, 1e-5));
  expect([...(await readF32(f.gpu, out))].every((v) => v === 0)).toBe(true);
});
