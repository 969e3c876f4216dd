import { describe, test } from '@jest/globals';
import { createTensor, readF32, SwiGluKernel, uploadTensor } from '../src/index.js';
import { assertClose, poison, randomF32, rng, swigluRef } from '../src/testing/index.js';
import { run, useGpu } from './gpu-fixture.js';

const f = useGpu();

// silu(g) * u = g * u / (1 + e^-g): exp's relative error (WGSL allows
// 3 + 2|g| ulp; lavapipe's grows about as |g| * 2^-24 too) enters scaled by
// e^-g / (1 + e^-g) < 1, then one add, one divide and one multiply round
// (2^-24 each). No cancellation, so the bound is relative: for |g| < 16,
// rtol 4e-6 (measured: 1e-6; 4e-7 for |g| < 4, 4e-6 for |g| < 80).
const TOL = { rtol: 4e-6, atol: 0 };

// Hidden sizes: odd and small, the tiny model's 172, a few thousand.
const SHAPES = [
  [1, 8],
  [3, 172],
  [7, 33],
  [5, 1000],
  [2, 11008],
] as const;

describe('SwiGluKernel', () => {
  test.each(SHAPES)('separate gate and up [%i, %i]', async (tokens, hidden) => {
    const random = rng(tokens * hidden);
    // Gates over [-16, 16) reach both silu tails.
    const gate = randomF32(tokens * hidden, random, 16);
    const up = randomF32(tokens * hidden, random, 4);
    const out = createTensor(f.gpu, 'f32', [tokens, hidden]);
    poison(f.gpu, out);
    const swiglu = new SwiGluKernel(f.ctx);
    const tg = uploadTensor(f.gpu, 'f32', [tokens, hidden], gate);
    const tu = uploadTensor(f.gpu, 'f32', [tokens, hidden], up);
    await run(f, (rec) => swiglu.record(rec, tg, tu, out));
    assertClose(await readF32(f.gpu, out), swigluRef(gate, up), TOL);
  });

  test.each(SHAPES)('fused gateUp [%i, 2 × %i]', async (tokens, hidden) => {
    const random = rng(tokens * hidden + 1);
    const gateUp = randomF32(tokens * 2 * hidden, random, 16);
    const gate = new Float32Array(tokens * hidden);
    const up = new Float32Array(tokens * hidden);
    for (let t = 0; t < tokens; t++) {
      gate.set(gateUp.subarray(t * 2 * hidden, t * 2 * hidden + hidden), t * hidden);
      up.set(gateUp.subarray(t * 2 * hidden + hidden, (t + 1) * 2 * hidden), t * hidden);
    }
    const out = createTensor(f.gpu, 'f32', [tokens, hidden]);
    poison(f.gpu, out);
    const swiglu = new SwiGluKernel(f.ctx);
    const tgu = uploadTensor(f.gpu, 'f32', [tokens, 2 * hidden], gateUp);
    await run(f, (rec) => swiglu.recordFused(rec, tgu, out));
    assertClose(await readF32(f.gpu, out), swigluRef(gate, up), TOL);
  });

  test('more tokens than one grid dimension holds', async () => {
    const [tokens, hidden] = [70_000, 4];
    const random = rng(70);
    const gate = randomF32(tokens * hidden, random, 16);
    const up = randomF32(tokens * hidden, random, 4);
    const out = createTensor(f.gpu, 'f32', [tokens, hidden]);
    poison(f.gpu, out);
    const swiglu = new SwiGluKernel(f.ctx);
    const [tg, tu] = [gate, up].map((d) => uploadTensor(f.gpu, 'f32', [tokens, hidden], d));
    await run(f, (rec) => swiglu.record(rec, tg!, tu!, out));
    assertClose(await readF32(f.gpu, out), swigluRef(gate, up), TOL);
  });

  test('saturated gates: silu(-100) = 0, silu(100) = 100', async () => {
    const gate = Float32Array.of(-100, 100, -88.5, 0);
    const up = Float32Array.of(3, 0.5, 1, 7);
    const out = createTensor(f.gpu, 'f32', [1, 4]);
    poison(f.gpu, out);
    const swiglu = new SwiGluKernel(f.ctx);
    const [tg, tu] = [gate, up].map((d) => uploadTensor(f.gpu, 'f32', [1, 4], d));
    await run(f, (rec) => swiglu.record(rec, tg!, tu!, out));
    // silu(-88.5) ≈ -3e-37 is near the denormal range, which a device may flush to zero.
    assertClose(await readF32(f.gpu, out), swigluRef(gate, up), { rtol: 4e-6, atol: 1e-30 });
  });
});
