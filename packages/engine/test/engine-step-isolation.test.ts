/**
 * One request whose parameters the kernels refuse fails alone: the others'
 * step runs again without it, they produce exactly the tokens they produce
 * alone, and no KV block is left held. The fault is injected by an executor
 * that wraps the real runner and hands it a poisoned request's parameters.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { assertClose } from '@x/kernels-webgpu/testing';
import {
  AsyncEngine,
  EngineCore,
  type Engine,
  type GenerationOutput,
  type SamplingOptions,
  type StepExecutor,
  type StepSampling,
  type TokenLogprob,
} from '../src/index.js';
import { collect, storiesEngine } from './engine-fixtures.js';

const PROMPTS = [
  'Lily',
  'Once upon a time',
  'The cat',
  'Tom had a ball',
  'One day',
  'She saw a bird',
  'The sun was',
  'A little dog',
];
/** Request i: seeded sampling, greedy, top-k, penalties, logprobs and prompt scores, mixed. */
const paramsOf = (i: number): SamplingOptions => ({
  maxTokens: 16,
  ignoreEos: true,
  seed: 100 + i,
  temperature: i % 3 === 0 ? 0 : 0.8,
  ...(i % 2 === 1 && { topK: 40 }),
  ...(i % 4 === 1 && { presencePenalty: 0.5, repetitionPenalty: 1.2 }),
  ...(i === 2 && { logprobs: 3 }),
  ...(i === 6 && { promptLogprobs: 2 }),
});

/** Rewrites a request's parameters as the runner gets them; undefined leaves them alone. */
type Poison = (requestId: string, params: StepSampling, batchSize: number) => StepSampling | undefined;

let engine: Engine;
let faulty: AsyncEngine;
let poison: Poison = () => undefined;
let alone: Map<number, GenerationOutput[]>;

beforeAll(async () => {
  engine = await storiesEngine('gguf');
  alone = new Map();
  for (const [i, prompt] of PROMPTS.entries())
    alone.set(i, (await collect(engine.generate(prompt, paramsOf(i)))).outputs);
  // A second core over the same scheduler and runner, its executor wrapping the real one; the
  // engine's own core must be idle first, or its loop would pick up the second core's requests.
  await engine.core.idle();
  const executor: StepExecutor = {
    execute: (output, paramsFor, scoringFor) =>
      engine.runner.execute(
        output,
        (i) => {
          const params = paramsFor(i);
          return poison(output.scheduled[i]!.requestId, params, output.scheduled.length) ?? params;
        },
        scoringFor,
      ),
  };
  faulty = new AsyncEngine(
    new EngineCore(engine.core.scheduler, executor),
    engine.tokenizer,
    engine.maxModelLen,
  );
});
afterAll(() => engine.shutdown());

const blocksUsed = () => engine.core.scheduler.kvCacheUsage().blocksUsed;
const tokensOf = (outputs: GenerationOutput[]) => outputs.flatMap((o) => o.tokenIds);
/** Every log-probability a request returned (sampled and top, decode and prompt): ids, and values. */
function scoresOf(outputs: GenerationOutput[]): { ids: number[]; values: number[] } {
  const all = [
    ...outputs.flatMap((o) => o.logprobs ?? []),
    ...(outputs.find((o) => o.promptLogprobs)?.promptLogprobs ?? []).filter((t) => t !== null),
  ].flatMap((t: TokenLogprob) => [t, ...t.top]);
  return { ids: all.map((t) => t.tokenId), values: all.map((t) => t.logprob) };
}

/** Runs the 8 requests at once on the faulty engine. */
async function runBatch(): Promise<GenerationOutput[][]> {
  const runs = PROMPTS.map((prompt, i) =>
    collect(faulty.generate(prompt, paramsOf(i), { requestId: `r${i}` })),
  );
  return (await Promise.all(runs)).map((r) => r.outputs);
}

/**
 * The neighbours of the failed requests: every token as alone, and their log-probabilities and
 * prompt scores too, within f32 rounding (a batch's matmuls sum in another order).
 */
function expectAsAlone(outputs: GenerationOutput[][], failed: readonly number[]): void {
  for (const [i, out] of outputs.entries()) {
    if (failed.includes(i)) continue;
    const want = alone.get(i)!;
    expect({ i, tokens: tokensOf(out) }).toEqual({ i, tokens: tokensOf(want) });
    expect(out.at(-1)!.finishReason).toBe('length');
    const [got, expected] = [scoresOf(out), scoresOf(want)];
    expect(got.ids).toEqual(expected.ids);
    assertClose(got.values, expected.values, { rtol: 1e-5, atol: 1e-5 }, `request ${i}`);
  }
}

describe('a request the kernels refuse fails alone', () => {
  test.each<[string, number, number, (p: StepSampling) => StepSampling, RegExp]>([
    ['a top-k beyond an i32, at its first token', 5, 0, (p) => ({ ...p, topK: 2 ** 31 }), /topK 2147483648/],
    [
      'a logit bias outside the vocabulary, mid-stream',
      3,
      5,
      (p) => ({ ...p, penalties: { logitBias: new Map([[100_000, 1]]) } }),
      /token 100000 outside \[0, 512\)/,
    ],
    [
      'a seed beyond 2^53, at the last token',
      0,
      15,
      (p) => ({ ...p, seed: 2 ** 53 }),
      /seed 9007199254740992/,
    ],
  ])('%s', async (_, target, step, bad, message) => {
    const batchSizes: number[] = [];
    poison = (id, p, batchSize) => {
      if (id !== `r${target}` || p.step !== step) return undefined;
      batchSizes.push(batchSize);
      return bad(p);
    };
    const outputs = await runBatch();
    // Poisoned once, in a batch of all 8.
    expect(batchSizes).toEqual([8]);
    const failed = outputs[target]!;
    expect(failed.at(-1)!.finishReason).toBe('error');
    expect(failed.at(-1)!.errorText).toMatch(message);
    expect(tokensOf(failed)).toEqual(tokensOf(alone.get(target)!).slice(0, step));
    expectAsAlone(outputs, [target]);
    expect(blocksUsed()).toBe(0);
  });

  test('two poisoned requests in one step: both fail, the other six run as alone', async () => {
    poison = (id, p) => ((id === 'r1' || id === 'r6') && p.step === 2 ? { ...p, topK: -2 } : undefined);
    const outputs = await runBatch();
    for (const i of [1, 6]) expect(outputs[i]!.at(-1)!.finishReason).toBe('error');
    expectAsAlone(outputs, [1, 6]);
    expect(blocksUsed()).toBe(0);
  });

  test('a lone poisoned request leaves an empty step, and the engine serves on', async () => {
    poison = (id, p) => (id === 'lone' ? { ...p, topK: 2 ** 31 } : undefined);
    const { outputs } = await collect(faulty.generate('Lily', { maxTokens: 4 }, { requestId: 'lone' }));
    expect(outputs.at(-1)!.finishReason).toBe('error');
    expect(blocksUsed()).toBe(0);
    poison = () => undefined;
    expect(tokensOf((await collect(faulty.generate(PROMPTS[0]!, paramsOf(0)))).outputs)).toEqual(
      tokensOf(alone.get(0)!),
    );
  });
});

describe('a failure no request is blamed for', () => {
  test('fails the whole step, as before, and frees every block', async () => {
    let thrown = false;
    poison = (_, p) => {
      if (p.step !== 4 || thrown) return undefined;
      thrown = true;
      throw new Error('device lost');
    };
    const outputs = await runBatch();
    const reasons = outputs.map((o) => o.at(-1)!.finishReason);
    expect(reasons).toEqual(new Array(8).fill('error'));
    expect(outputs[0]!.at(-1)!.errorText).toBe('model execution failed: device lost');
    expect(blocksUsed()).toBe(0);
  });
});
