import { describe, expect, test } from '@jest/globals';
import {
  createTensor,
  readF32,
  ROPE_MAX_POSITION,
  ropeFrequencyTable,
  RopeKernel,
  uploadTensor,
  type RopeOptions,
} from '../src/index.js';
import { assertClose, randomF32, randomInts, rng, ropeRef } from '../src/testing/index.js';
import { run, useGpu } from './gpu-fixture.js';

const f = useGpu();

// Inputs are in [-1, 1). The angle, reduced mod one turn in exact integer
// arithmetic, is off by at most ~2^-24 turns from the fixed-point frequency
// and the i32 -> f32 conversion plus one rounding of the scaling: < 6e-7 rad
// at any position below 2^20. sin/cos add ~1e-7 (lavapipe), the rotation two
// products and a sum: |error| <= (|x0| + |x1|) * ~8e-7 + 2 ulp, under 2e-6.
const TOL = { rtol: 0, atol: 2e-6 };

async function rotate(
  o: RopeOptions,
  tokens: number,
  nHeads: number,
  nKvHeads: number,
  positions: Int32Array,
) {
  const random = rng(tokens * 131 + nHeads * 17 + nKvHeads + o.headDim);
  const q = randomF32(tokens * nHeads * o.headDim, random);
  const k = randomF32(tokens * nKvHeads * o.headDim, random);
  const tq = uploadTensor(f.gpu, 'f32', [tokens, nHeads, o.headDim], q);
  const tk = uploadTensor(f.gpu, 'f32', [tokens, nKvHeads, o.headDim], k);
  const tp = uploadTensor(f.gpu, 'i32', [tokens], positions);
  const rope = new RopeKernel(f.ctx, o);
  await run(f, (rec) => rope.record(rec, tq, tk, tp));
  rope.destroy();
  return {
    q: { got: await readF32(f.gpu, tq), want: ropeRef(q, positions, o), input: q },
    k: { got: await readF32(f.gpu, tk), want: ropeRef(k, positions, o), input: k },
  };
}

describe('RopeKernel', () => {
  // Head dims 8/64/128, GQA ratios 1/2/8, token counts that are not multiples
  // of the workgroup, partial rotary dims, llama and Qwen2 bases; four pairs
  // per invocation unless noted.
  test.each([
    ['adjacent', 8, 4, 4, 37, 10000, undefined],
    ['neox', 8, 8, 1, 13, 10000, undefined],
    ['adjacent', 64, 8, 4, 19, 10000, undefined],
    ['neox', 64, 4, 2, 7, 1e6, undefined],
    ['adjacent', 128, 8, 1, 5, 500000, undefined],
    ['neox', 128, 2, 2, 9, 1e6, undefined],
    ['adjacent', 64, 4, 2, 6, 10000, 32],
    ['neox', 128, 2, 1, 6, 10000, 64],
    // One pair per invocation (headDim or ropeDim/2 not a multiple of 4).
    ['neox', 10, 3, 1, 11, 10000, 6],
    ['adjacent', 12, 3, 3, 10, 10000, undefined],
    ['adjacent', 6, 2, 1, 5, 10000, undefined],
  ] as const)(
    '%s, headDim %i, %i q heads, %i kv heads, %i tokens, base %d, ropeDim %s',
    async (layout, headDim, nHeads, nKvHeads, tokens, base, ropeDim) => {
      const o = { layout, headDim, base, ropeDim };
      const positions = randomInts(tokens, rng(tokens), 32768);
      positions[0] = 0;
      const r = await rotate(o, tokens, nHeads, nKvHeads, positions);
      assertClose(r.q.got, r.q.want, TOL, 'q');
      assertClose(r.k.got, r.k.want, TOL, 'k');
      // Dimensions past ropeDim are left bit for bit as they were.
      for (const { got, input } of [r.q, r.k])
        for (let i = 0; i < got.length; i++)
          if (i % headDim >= (ropeDim ?? headDim)) expect(got[i]).toBe(input[i]);
    },
  );

  test('angle error does not grow with position', async () => {
    // Positions near the top of the supported range: a plain f32 pos * inv_freq
    // would be off by up to ~pos * 2^-24 ≈ 0.06 rad here.
    const tokens = 64;
    const positions = randomInts(tokens, rng(5), ROPE_MAX_POSITION);
    positions[0] = ROPE_MAX_POSITION - 1;
    positions[1] = 32767;
    const r = await rotate({ layout: 'neox', headDim: 128, base: 10000 }, tokens, 2, 1, positions);
    assertClose(r.q.got, r.q.want, TOL, 'q');
    assertClose(r.k.got, r.k.want, TOL, 'k');
  });

  test.each([
    ['adjacent', 64, undefined],
    ['neox', 128, undefined],
    ['neox', 10, 6],
  ] as const)(
    'per-pair frequency factors (Llama 3 rope_freqs): %s, headDim %i, ropeDim %s',
    async (layout, headDim, ropeDim) => {
      const random = rng(headDim);
      // Llama 3 stores factors in [1, 8]; wider here so every pair's angle moves.
      const freqFactors = Array.from({ length: (ropeDim ?? headDim) / 2 }, () => 0.5 + random() * 31.5);
      const o = { layout, headDim, base: 500000, ropeDim, freqFactors };
      const positions = randomInts(23, rng(3), 131072);
      const r = await rotate(o, 23, 4, 1, positions);
      assertClose(r.q.got, r.q.want, TOL, 'q');
      assertClose(r.k.got, r.k.want, TOL, 'k');
      // The factors matter: the unscaled rotation is far from it.
      const plain = ropeRef(r.q.input, positions, { layout, headDim, base: 500000, ropeDim });
      expect(Math.max(...plain.map((v, i) => Math.abs(v - r.q.got[i]!)))).toBeGreaterThan(0.1);
    },
  );
});

test('frequency table: 44-bit fixed-point turns per position', () => {
  const t = ropeFrequencyTable(10000, 8);
  for (let i = 0; i < 4; i++) {
    const turns = (t[i]! * 4096 + t[4 + i]!) / 2 ** 44;
    expect(turns).toBeCloseTo(10000 ** (-i / 4) / (2 * Math.PI), 12);
    expect(t[4 + i]).toBeLessThan(4096);
  }
});

test('frequency table: factors divide each pair frequency; all-ones factors change nothing', () => {
  const plain = ropeFrequencyTable(500000, 16);
  expect(ropeFrequencyTable(500000, 16, new Array(8).fill(1))).toEqual(plain);
  const t = ropeFrequencyTable(500000, 16, [1, 2, 3, 4, 5, 6, 7, 8]);
  for (let i = 0; i < 8; i++) {
    const turns = (t[i]! * 4096 + t[8 + i]!) / 2 ** 44;
    expect(turns).toBeCloseTo(500000 ** (-i / 8) / (2 * Math.PI) / (i + 1), 12);
  }
});

test('rejects frequency factors of the wrong count or not positive', () => {
  for (const freqFactors of [
    [1, 1, 1],
    [1, 0, 1, 1],
    [1, Infinity, 1, 1],
    [1, NaN, 1, 1],
  ])
    expect(() => new RopeKernel(f.ctx, { layout: 'neox', headDim: 8, base: 1e4, freqFactors })).toThrow(
      /freqFactors must be 4 positive finite values/,
    );
});

test('rejects an odd or oversized ropeDim, and q and k sharing a buffer', async () => {
  expect(() => new RopeKernel(f.ctx, { layout: 'neox', headDim: 8, base: 1e4, ropeDim: 7 })).toThrow(
    /ropeDim/,
  );
  expect(() => new RopeKernel(f.ctx, { layout: 'neox', headDim: 8, base: 1e4, ropeDim: 10 })).toThrow(
    /ropeDim/,
  );
  const rope = new RopeKernel(f.ctx, { layout: 'neox', headDim: 8, base: 1e4 });
  const q = createTensor(f.gpu, 'f32', [1, 2, 8]);
  const positions = createTensor(f.gpu, 'i32', [1]);
  const rec = f.ctx.begin();
  try {
    expect(() => rope.record(rec, q, q, positions)).toThrow(/distinct buffers/);
  } finally {
    rec.finish();
    rope.destroy();
  }
});
