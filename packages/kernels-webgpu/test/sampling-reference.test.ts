/** Host-side pieces of sampling: Philox, the params layout, and the reference's semantics. */
import { describe, expect, test } from '@jest/globals';
import {
  MAX_LOGPROBS,
  MAX_SEED,
  MAX_TOP_K,
  packSamplingParams,
  philox4x32,
  SAMPLING_PARAMS_WORDS,
  SamplingRowError,
  type SamplingParams,
} from '../src/kernels/sampling/index.js';
import { exponentialFromBits, sampleRowRef, samplingProbsRef } from '../src/reference/sampling.js';

test('Philox-4x32-10 matches the Random123 known-answer vectors', () => {
  const hex = (s: string) => s.split(' ').map((h) => parseInt(h, 16));
  for (const [ctr, key, want] of [
    ['00000000 00000000 00000000 00000000', '00000000 00000000', '6627e8d5 e169c58d bc57ac4c 9b00dbd8'],
    ['ffffffff ffffffff ffffffff ffffffff', 'ffffffff ffffffff', '408f276d 41c83b0e a20bc7c6 6d5451fd'],
    ['243f6a88 85a308d3 13198a2e 03707344', 'a4093822 299f31d0', 'd16cfe09 94fdcceb 5001e420 24126ea1'],
  ] as const) {
    expect(Array.from(philox4x32(hex(ctr), hex(key)))).toEqual(hex(want));
  }
});

test('exponential variates: both halves of the bits, finite, mean 1', () => {
  expect(exponentialFromBits(0)).toBeCloseTo(-Math.log(0.5 / 2 ** 32), 12);
  // U just below 1: -ln(U) ~ 1 - U, kept to full relative precision.
  expect(exponentialFromBits(0x80000000) / (0.5 / 2 ** 32)).toBeCloseTo(1, 9);
  const bits = new Uint32Array(4);
  let sum = 0;
  const n = 40_000;
  for (let i = 0; i < n / 4; i++) {
    philox4x32([i, 0, 0, 0], [1, 2], bits);
    for (const b of bits) sum += exponentialFromBits(b);
  }
  // Exp(1) has sd 1: the mean of 40k is within 5 / 200 of 1.
  expect(Math.abs(sum / n - 1)).toBeLessThan(0.025);
});

describe('packSamplingParams', () => {
  test('writes the 8-word layout the shader reads', () => {
    const view = new DataView(new ArrayBuffer(2 * SAMPLING_PARAMS_WORDS * 4));
    packSamplingParams(
      [
        { temperature: 0.7, topK: 40, topP: 0.9, minP: 0.05, seed: 2 ** 40 + 5, step: 9, numLogprobs: 3 },
        { temperature: 0, topK: -1, seed: 0, step: 0 },
      ],
      view,
    );
    const f = (w: number) => view.getFloat32(w * 4, true);
    const u = (w: number) => view.getUint32(w * 4, true);
    expect([f(0), view.getInt32(4, true), f(2), f(3)]).toEqual([0.7, 40, 0.9, 0.05].map(Math.fround));
    expect([u(4), u(5), u(6), u(7)]).toEqual([5, 2 ** 8, 9, 3]);
    expect([f(8), view.getInt32(36, true), f(10), f(11), u(12), u(13), u(14), u(15)]).toEqual([
      0, -1, 1, 0, 0, 0, 0, 0,
    ]);
  });

  test.each<[string, Partial<SamplingParams>]>([
    ['negative temperature', { temperature: -1 }],
    ['top-p of 0', { topP: 0 }],
    ['min-p above 1', { minP: 1.5 }],
    ['fractional top-k', { topK: 2.5 }],
    ['top-k beyond an i32', { topK: MAX_TOP_K + 1 }],
    ['unsafe seed', { seed: 2 ** 53 }],
    ['negative step', { step: -1 }],
    ['too many logprobs', { numLogprobs: MAX_LOGPROBS + 1 }],
  ])('rejects %s', (_, bad) => {
    const view = new DataView(new ArrayBuffer(32));
    expect(() => packSamplingParams([{ temperature: 1, seed: 1, step: 0, ...bad }], view)).toThrow(
      /sampling params \[0\]/,
    );
  });

  test('a bad row is named by its index, and nothing is written', () => {
    const view = new DataView(new ArrayBuffer(2 * SAMPLING_PARAMS_WORDS * 4));
    const ok = { temperature: 1, seed: 1, step: 0 };
    let error: unknown;
    try {
      packSamplingParams([ok, { ...ok, topK: 2 ** 31 }], view);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SamplingRowError);
    expect((error as SamplingRowError).row).toBe(1);
    expect(view.getFloat32(0, true)).toBe(0);
  });

  test('the limits themselves are accepted', () => {
    const view = new DataView(new ArrayBuffer(SAMPLING_PARAMS_WORDS * 4));
    packSamplingParams(
      [{ temperature: 1, topK: MAX_TOP_K, seed: MAX_SEED, step: 2 ** 32 - 1, numLogprobs: MAX_LOGPROBS }],
      view,
    );
    expect(view.getInt32(4, true)).toBe(MAX_TOP_K);
    expect(view.getUint32(16, true) + 2 ** 32 * view.getUint32(20, true)).toBe(MAX_SEED);
  });
});

describe('reference semantics', () => {
  const nonzero = (p: Float64Array) => Array.from(p.keys()).filter((i) => p[i]! > 0);
  // Probabilities 0.5, 0.3, 0.15, 0.05 at temperature 1.
  const row = Float32Array.from([0.5, 0.3, 0.15, 0.05], Math.log);

  test('top-k keeps every token tied with the k-th', () => {
    const tied = Float32Array.from([3, 2, 1, 2, 0]);
    expect(nonzero(samplingProbsRef(tied, { temperature: 1, topK: 2, seed: 0, step: 0 }))).toEqual([0, 1, 3]);
    expect(nonzero(samplingProbsRef(tied, { temperature: 1, topK: 1, seed: 0, step: 0 }))).toEqual([0]);
  });

  test.each([
    [0.45, [0]],
    [0.79, [0, 1]],
    [0.81, [0, 1, 2]],
    [0.99, [0, 1, 2, 3]],
  ])('top-p %f keeps the smallest most-likely set reaching it', (topP, kept) => {
    const probs = samplingProbsRef(row, { temperature: 1, topP, seed: 0, step: 0 });
    expect(nonzero(probs)).toEqual(kept);
    expect(probs.reduce((a, b) => a + b)).toBeCloseTo(1, 12);
  });

  test('top-p is taken over the top-k renormalised distribution', () => {
    // Renormalised over the top 2, the best token alone holds 0.625.
    expect(nonzero(samplingProbsRef(row, { temperature: 1, topP: 0.55, seed: 0, step: 0 }))).toEqual([0, 1]);
    expect(nonzero(samplingProbsRef(row, { temperature: 1, topK: 2, topP: 0.55, seed: 0, step: 0 }))).toEqual(
      [0],
    );
    expect(nonzero(samplingProbsRef(row, { temperature: 1, topK: 2, topP: 0.65, seed: 0, step: 0 }))).toEqual(
      [0, 1],
    );
  });

  test('min-p keeps tokens at least min-p times as likely as the best', () => {
    expect(nonzero(samplingProbsRef(row, { temperature: 1, minP: 0.29, seed: 0, step: 0 }))).toEqual([
      0, 1, 2,
    ]);
    expect(nonzero(samplingProbsRef(row, { temperature: 1, minP: 0.61, seed: 0, step: 0 }))).toEqual([0]);
  });

  test('greedy and top-n break ties to the lower id; -inf is never kept', () => {
    const tied = Float32Array.from([1, 5, -Infinity, 5, 2, 5]);
    const ref = sampleRowRef(tied, { temperature: 0, seed: 0, step: 0, numLogprobs: 6 });
    expect(ref.token).toBe(1);
    expect(Array.from(ref.topIds)).toEqual([1, 3, 5, 4, 0, 2]);
    expect(ref.topLogprobs[5]).toBe(-Infinity);
    const probs = samplingProbsRef(tied, { temperature: 2, seed: 0, step: 0 });
    expect(probs[2]).toBe(0);
  });

  test('draws follow samplingProbsRef over many seeds', () => {
    const logits = Float32Array.from({ length: 16 }, (_, i) => Math.sin(i) * 2);
    const p = { temperature: 0.9, topK: 12, topP: 0.95, minP: 0.02, step: 0 };
    const probs = samplingProbsRef(logits, { ...p, seed: 0 });
    const counts = new Float64Array(16);
    const n = 8000;
    for (let seed = 0; seed < n; seed++) counts[sampleRowRef(logits, { ...p, seed }).token]!++;
    probs.forEach((q, i) => {
      // Binomial sd sqrt(n q (1 - q)); 5 sd.
      expect(Math.abs(counts[i]! - n * q)).toBeLessThanOrEqual(5 * Math.sqrt(n * q * (1 - q)));
    });
  });
});
