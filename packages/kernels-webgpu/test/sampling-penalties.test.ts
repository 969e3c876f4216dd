/** PenaltyKernel against its float64 reference, and the host packing it reads. */
import { describe, expect, test } from '@jest/globals';
import {
  createTensor,
  hasPenalties,
  MAX_REPETITION_PENALTY,
  MIN_REPETITION_PENALTY,
  packPenalties,
  PenaltyKernel,
  readF32,
  readI32,
  SamplingKernel,
  SamplingParamsBuffer,
  SamplingRowError,
  uploadTensor,
  type LogitPenalties,
} from '../src/index.js';
import { assertClose, penaltiesRef, poison, randomF32, rng, sampleRowRef } from '../src/testing/index.js';
import { run, useGpu } from './gpu-fixture.js';

const f = useGpu();

/** A row that has seen `seen` random tokens (some in the prompt, some generated, some both). */
function randomRow(random: () => number, vocab: number, seen: number): LogitPenalties {
  const outputCounts = new Map<number, number>();
  const promptTokens = new Set<number>();
  const logitBias = new Map<number, number>();
  for (let i = 0; i < seen; i++) {
    const token = Math.floor(random() * vocab);
    if (random() < 0.6)
      outputCounts.set(token, (outputCounts.get(token) ?? 0) + 1 + Math.floor(random() * 3));
    if (random() < 0.5) promptTokens.add(token);
    if (random() < 0.1) logitBias.set(token, 200 * random() - 100);
  }
  return {
    presencePenalty: 4 * random() - 2,
    frequencyPenalty: 4 * random() - 2,
    repetitionPenalty: 0.5 + 1.5 * random(),
    outputCounts,
    promptTokens,
    logitBias,
  };
}

async function applyGpu(logits: Float32Array, vocab: number, rows: (LogitPenalties | undefined)[]) {
  const packed = packPenalties(rows, vocab);
  const t = uploadTensor(f.gpu, 'f32', [rows.length, vocab], logits);
  const r = uploadTensor(f.gpu, 'u32', [packed.rows.length], packed.rows);
  const e = uploadTensor(f.gpu, 'u32', [packed.entries.length], packed.entries);
  await run(f, (rec) => new PenaltyKernel(f.ctx).record(rec, t, r, e, rows.length, vocab));
  const out = await readF32(f.gpu, t);
  for (const x of [t, r, e]) x.buffer.destroy();
  return out;
}

describe('PenaltyKernel', () => {
  test.each([
    [1, 32, 10],
    [5, 1000, 300],
    [3, 32_000, 2000],
  ])('%i rows of %i logits, ~%i tokens seen each, match the reference', async (numRows, vocab, seen) => {
    const random = rng(numRows * vocab + seen);
    // Positive and negative logits, so both sides of the repetition penalty are exercised.
    const logits = randomF32(numRows * vocab, random, 8);
    const rows = Array.from({ length: numRows }, (_, i) =>
      i === 1 ? undefined : randomRow(random, vocab, seen),
    );
    const got = await applyGpu(logits, vocab, rows);
    // A bias add, a division or product and a multiply-subtract: a few f32 roundings of values
    // up to ~|l| + 100 + 2 × counts.
    assertClose(got, penaltiesRef(logits, vocab, rows), { rtol: 1e-6, atol: 1e-5 });
    // Untouched rows and tokens come back bit for bit.
    if (numRows > 1) expect(got.subarray(vocab, 2 * vocab)).toEqual(logits.subarray(vocab, 2 * vocab));
  });

  test('-inf logits stay -inf; a row with nothing to apply is left alone', async () => {
    const vocab = 8;
    const logits = new Float32Array([-Infinity, 1, -2, 3, 0, 5, 6, 7, 1, 2, 3, 4, 5, 6, 7, 8]);
    const rows: LogitPenalties[] = [
      {
        repetitionPenalty: 2,
        frequencyPenalty: 0.5,
        outputCounts: new Map([
          [0, 2],
          [1, 1],
          [2, 1],
        ]),
      },
      { presencePenalty: 1, frequencyPenalty: 1 }, // no output yet
    ];
    const got = await applyGpu(logits, vocab, rows);
    expect([...got.subarray(0, 4)]).toEqual([-Infinity, 1 / 2 - 0.5, -2 * 2 - 0.5, 3]);
    expect(got.subarray(vocab)).toEqual(logits.subarray(vocab));
  });
});

describe('SamplingKernel keepTokens', () => {
  test("reports the given tokens' raw log-probabilities and the raw top-n, drawing nothing", async () => {
    const [rows, vocab, cols] = [6, 5000, 8];
    const random = rng(99);
    const logits = randomF32(rows * vocab, random, 6);
    const given = Int32Array.from({ length: rows }, () => Math.floor(random() * vocab));
    const params = Array.from({ length: rows }, (_, i) => ({
      temperature: [0, 0.8, 1.5][i % 3]!,
      topK: 40,
      seed: i,
      step: 0,
      numLogprobs: i % 2 ? cols : 0,
    }));
    const buf = new SamplingParamsBuffer(f.gpu, rows);
    buf.write(params);
    const input = uploadTensor(f.gpu, 'f32', [rows, vocab], logits);
    const out = {
      tokens: uploadTensor(f.gpu, 'i32', [rows], given),
      logprobs: createTensor(f.gpu, 'f32', [rows]),
      topIds: createTensor(f.gpu, 'i32', [rows, cols]),
      topLogprobs: createTensor(f.gpu, 'f32', [rows, cols]),
    };
    for (const t of [out.logprobs, out.topIds, out.topLogprobs]) poison(f.gpu, t);
    const kernel = new SamplingKernel(f.ctx);
    await run(f, (rec) => kernel.record(rec, input, buf.tensor, out, rows, vocab, { keepTokens: true }));
    expect(await readI32(f.gpu, out.tokens)).toEqual(given);
    const logprobs = await readF32(f.gpu, out.logprobs);
    const topIds = await readI32(f.gpu, out.topIds);
    for (let r = 0; r < rows; r++) {
      const row = logits.subarray(r * vocab, (r + 1) * vocab);
      const ref = sampleRowRef(row, { ...params[r]!, temperature: 0 });
      const lse = row[ref.token]! - ref.logprob;
      assertClose([logprobs[r]!], [row[given[r]!]! - lse], { rtol: 1e-6, atol: 1e-5 });
      const want = Array.from({ length: cols }, (_, c) => (c < ref.topIds.length ? ref.topIds[c]! : -1));
      expect([...topIds.subarray(r * cols, (r + 1) * cols)]).toEqual(want);
    }
    for (const t of [input, buf.tensor, ...Object.values(out)]) t.buffer.destroy();
  });
});

describe('packPenalties', () => {
  test('one entry per distinct token; only what changes a logit is packed', () => {
    const row: LogitPenalties = {
      presencePenalty: 0.5,
      repetitionPenalty: 1.2,
      outputCounts: new Map([[3, 2]]),
      promptTokens: new Set([3, 4]),
      logitBias: new Map([
        [4, -1],
        [9, 5],
      ]),
    };
    const packed = packPenalties([row, { presencePenalty: 1 }, undefined], 10);
    expect([...packed.rows.subarray(3, 5)]).toEqual([0, 3]); // tokens 4, 9, 3
    expect([...packed.rows.subarray(8, 10)]).toEqual([3, 0]);
    expect([...packed.rows.subarray(13, 15)]).toEqual([3, 0]);
    expect(hasPenalties(row)).toBe(true);
    expect(hasPenalties({ presencePenalty: 1, promptTokens: new Set([1]) })).toBe(false);
    expect(hasPenalties({ repetitionPenalty: 1.1, promptTokens: new Set([1]) })).toBe(true);
  });

  test('a token outside the vocabulary is refused', () => {
    expect(() => packPenalties([{ logitBias: new Map([[10, 1]]) }], 10)).toThrow(
      /token 10 outside \[0, 10\)/,
    );
  });

  test.each<[string, LogitPenalties]>([
    ['a repetition penalty below the range', { repetitionPenalty: MIN_REPETITION_PENALTY / 2 }],
    ['a repetition penalty above the range', { repetitionPenalty: MAX_REPETITION_PENALTY * 2 }],
    ['a presence penalty beyond f32', { presencePenalty: 1e39 }],
    ['a frequency penalty of NaN', { frequencyPenalty: NaN }],
    ['an infinite bias', { logitBias: new Map([[1, -Infinity]]) }],
  ])('%s is refused, naming the row', (_, bad) => {
    let error: unknown;
    try {
      packPenalties([undefined, { presencePenalty: 1 }, bad], 10);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SamplingRowError);
    expect((error as SamplingRowError).row).toBe(2);
  });

  test('the repetition range itself is accepted', () => {
    const seen = { promptTokens: new Set([1]) };
    const packed = packPenalties(
      [
        { ...seen, repetitionPenalty: MIN_REPETITION_PENALTY },
        { ...seen, repetitionPenalty: MAX_REPETITION_PENALTY },
      ],
      10,
    );
    expect(packed.rows.length).toBe(10);
  });
});
