/**
 * Validation matches what the kernels take: any request `validate` accepts
 * packs for the sampler and the penalty kernel at every step it can reach
 * (a property over every sampling field), a few at the extremes run end to
 * end, and the values that used to fail a whole step are refused by name.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import {
  MAX_LOGPROBS,
  MAX_REPETITION_PENALTY,
  MAX_SEED,
  MAX_TOP_K,
  MIN_REPETITION_PENALTY,
  packPenalties,
  packSamplingParams,
  SAMPLING_PARAMS_WORDS,
} from '@x/kernels-webgpu';
import fc from 'fast-check';
import { EngineInputError, MAX_N, type Engine, type SamplingOptions } from '../src/index.js';
import { penaltySettings, sequenceSampling } from '../src/engine/sampling-options.js';
import { collect, storiesEngine } from './engine-fixtures.js';

let engine: Engine;
beforeAll(async () => {
  engine = await storiesEngine('gguf');
});
afterAll(() => engine.shutdown());

const VOCAB = 512;
const CONTEXT = 512;

/** Numbers of every kind: what a client might send for any field. */
const anyNumber = fc.oneof(
  fc.integer({ min: -5, max: 1000 }),
  fc.double(),
  fc.constantFrom(-1, 0, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 53 - 1, 2 ** 53, 1e12, 1e300, 1e-300),
  fc.constantFrom(5e-324, NaN, Infinity, -Infinity),
);
/** Usually absent; else usually a plausible value, sometimes any number. */
const field = <T>(plausible: fc.Arbitrary<T>) =>
  fc.option(fc.oneof({ weight: 4, arbitrary: plausible }, { weight: 1, arbitrary: anyNumber }), {
    nil: undefined,
    freq: 2,
  });
const real = (min: number, max: number) => fc.double({ min, max, noNaN: true });
const count = (max: number) => fc.integer({ min: 0, max });

const options: fc.Arbitrary<SamplingOptions> = fc.record({
  maxTokens: field(fc.integer({ min: 1, max: CONTEXT })),
  minTokens: field(count(CONTEXT)),
  temperature: field(real(0, 100)),
  topP: field(real(0, 1)),
  topK: field(fc.oneof(fc.integer({ min: -1, max: 1000 }), fc.constant(MAX_TOP_K))),
  minP: field(real(0, 1)),
  seed: field(fc.oneof(fc.maxSafeNat(), fc.integer({ min: MAX_SEED - MAX_N, max: MAX_SEED }))),
  stopTokenIds: fc.option(fc.array(count(VOCAB + 10), { maxLength: 3 }), { nil: undefined }),
  ignoreEos: fc.option(fc.boolean(), { nil: undefined }),
  logprobs: field(count(MAX_LOGPROBS + 1)),
  promptLogprobs: field(count(MAX_LOGPROBS + 1)),
  n: field(fc.integer({ min: 1, max: MAX_N + 1 })),
  presencePenalty: field(real(-2.5, 2.5)),
  frequencyPenalty: field(real(-2.5, 2.5)),
  repetitionPenalty: field(
    fc.oneof(
      real(MIN_REPETITION_PENALTY / 2, 10),
      fc.constantFrom(MIN_REPETITION_PENALTY, MAX_REPETITION_PENALTY),
    ),
  ),
  logitBias: fc.option(fc.dictionary(count(VOCAB + 10).map(String), real(-120, 120), { maxKeys: 4 }), {
    nil: undefined,
  }),
});
/** Prompts: token ids, now and then outside the vocabulary, now and then longer than the context. */
const prompts = fc.array(count(VOCAB + 2), { minLength: 1, maxLength: CONTEXT + 4, size: 'medium' });

describe('whatever validation accepts, the kernels take', () => {
  test('property: accepted requests pack at their first and last step, every sequence', () => {
    const tally = { accepted: 0, refused: 0 };
    fc.assert(
      fc.property(options, prompts, fc.nat(2 ** 47 - 1), (o, prompt, drawnSeed) => {
        let p;
        try {
          p = engine.validate(prompt, o);
        } catch (error) {
          // Refusals are the engine's own, naming the field.
          expect(error).toBeInstanceOf(EngineInputError);
          expect((error as EngineInputError).param).toEqual(expect.any(String));
          tally.refused++;
          return;
        }
        tally.accepted++;
        const lastStep = (p.maxTokens ?? CONTEXT - prompt.length) - 1;
        const view = new DataView(new ArrayBuffer(SAMPLING_PARAMS_WORDS * 4));
        const settings = penaltySettings(p);
        for (let index = 0; index < p.n; index++) {
          const sampling = sequenceSampling(p, p.seed ?? drawnSeed, index);
          for (const step of [0, lastStep]) packSamplingParams([{ ...sampling, step }], view);
        }
        // As the core hands them over: every prompt token seen, an output token counted at every step.
        if (settings)
          packPenalties(
            [
              {
                ...settings,
                promptTokens: new Set(prompt),
                outputCounts: new Map([[VOCAB - 1, lastStep + 1]]),
              },
            ],
            VOCAB,
          );
      }),
      { numRuns: 2000 },
    );
    // Both sides of the line were exercised.
    expect(tally.accepted).toBeGreaterThan(200);
    expect(tally.refused).toBeGreaterThan(200);
  });

  const limits: [string, SamplingOptions][] = [
    ['the largest top-k', { topK: MAX_TOP_K }],
    ['the largest logprobs and prompt logprobs', { logprobs: MAX_LOGPROBS, promptLogprobs: MAX_LOGPROBS }],
    [
      'the smallest repetition penalty, with the strongest other penalties and biases',
      {
        repetitionPenalty: MIN_REPETITION_PENALTY,
        presencePenalty: 2,
        frequencyPenalty: -2,
        logitBias: { 0: 100, 1: -100, [VOCAB - 1]: 100 },
      },
    ],
    ['the largest repetition penalty', { repetitionPenalty: MAX_REPETITION_PENALTY, logprobs: 5 }],
    ['the hottest temperature, the thinnest top-p', { temperature: 100, topP: Number.MIN_VALUE, minP: 1 }],
    ['the most sequences', { n: MAX_N, seed: MAX_SEED }],
    ['a stop id at the end of the vocabulary', { stopTokenIds: [VOCAB - 1] }],
  ];
  test.each(limits)('%s runs to the end', async (_, o) => {
    const { outputs, ids } = await collect(engine.generate('Once upon a time', { maxTokens: 12, ...o }));
    for (const out of outputs.filter((x) => x.finished)) expect(out.finishReason).not.toBe('error');
    for (const seq of ids) for (const id of seq) expect(id >= 0 && id < VOCAB).toBe(true);
    for (const lp of outputs.flatMap((x) => x.logprobs ?? [])) expect(Number.isFinite(lp.logprob)).toBe(true);
    expect(engine.core.scheduler.kvCacheUsage().blocksUsed).toBe(0);
  });

  test('min_tokens may take all the context leaves: generation runs to the end of the context', async () => {
    const prompt = Array.from({ length: CONTEXT - 20 }, (_, i) => 300 + (i % 50));
    const { ids, outputs } = await collect(engine.generate(prompt, { minTokens: 20 }));
    expect(ids[0]).toHaveLength(20);
    expect(outputs.at(-1)!.finishReason).toBe('length');
  });

  test('sequence i uses seed + i, from 0 again past the largest seed', async () => {
    const run = async (seed: number, n: number) =>
      (await collect(engine.generate('Once upon a time', { seed, n, maxTokens: 10 }))).ids;
    const wrapped = await run(MAX_SEED - 1, 4);
    expect(wrapped.slice(2)).toEqual(await run(0, 2));
    expect(wrapped[0]).toEqual((await run(MAX_SEED - 1, 1))[0]);
  });
});

describe('values that used to fail a whole step are refused by name', () => {
  test.each<[SamplingOptions, string, RegExp]>([
    [{ topK: 2 ** 31 }, 'top_k', /\[-1, 2147483647\]/],
    [{ seed: MAX_SEED + 1 }, 'seed', /\[0, 9007199254740991\]/],
    [{ repetitionPenalty: 1e300 }, 'repetition_penalty', /\[0.000001, 1000000\]/],
    [{ repetitionPenalty: 1e-300 }, 'repetition_penalty', /\[0.000001, 1000000\]/],
    [{ minTokens: 1e12 }, 'min_tokens', /the 508 tokens the context leaves after the prompt/],
    [{ minTokens: 509 }, 'min_tokens', /the 508 tokens/],
    [{ minTokens: 5, maxTokens: 4 }, 'min_tokens', /must not exceed max_tokens \(4\)/],
    [{ stopTokenIds: [1, VOCAB] }, 'stop_token_ids[1]', /stop token 512 is not in the vocabulary/],
  ])('%j is refused naming %s', (o, param, message) => {
    let error: unknown;
    try {
      engine.validate([1, 2, 3, 4], o);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EngineInputError);
    expect(error).toMatchObject({ param, message: expect.stringMatching(message) });
  });
});
