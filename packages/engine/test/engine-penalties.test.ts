/**
 * Presence, frequency and repetition penalties and logit bias, end to end on
 * stories260K: the picks against run.c's logits and the raw top-20 the engine
 * reports (vLLM's raw log-probabilities), batch neighbours unaffected.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { penaltiesRef } from '@x/kernels-webgpu/testing';
import { EngineInputError, type Engine, type GenerationOutput } from '../src/index.js';
import { collect, golden, storiesEngine } from './engine-fixtures.js';

let engine: Engine;
beforeAll(async () => {
  engine = await storiesEngine('gguf');
});
afterAll(() => engine.shutdown());

const GREEDY = { temperature: 0, ignoreEos: true } as const;
const argmax = (xs: ArrayLike<number>): number => {
  let best = 0;
  for (let i = 1; i < xs.length; i++) if (xs[i]! > xs[best]!) best = i;
  return best;
};
const logprobsOf = (outputs: GenerationOutput[]) => outputs.flatMap((o) => o.logprobs ?? []);

describe('penalties', () => {
  test('presence and frequency: each greedy pick is the best raw top-20 token after the penalties', async () => {
    const params = { ...GREEDY, maxTokens: 20, logprobs: 20, presencePenalty: 1.5, frequencyPenalty: 2 };
    const { ids, outputs } = await collect(engine.generate('Lily', params));
    const counts = new Map<number, number>();
    expect(logprobsOf(outputs)).toHaveLength(20);
    for (const step of logprobsOf(outputs)) {
      // At most 19 tokens are penalized at a step, so the winner is among the raw top 20.
      const scores = step.top.map(({ tokenId, logprob }) => {
        const c = counts.get(tokenId) ?? 0;
        return logprob - 2 * c - (c > 0 ? 1.5 : 0);
      });
      expect(step.tokenId).toBe(step.top[argmax(scores)]!.tokenId);
      counts.set(step.tokenId, (counts.get(step.tokenId) ?? 0) + 1);
    }
    // Greedy alone says "play" twice in these 20 tokens.
    const plain = await collect(engine.generate('Lily', { ...GREEDY, maxTokens: 20 }));
    expect(ids[0]).not.toEqual(plain.ids[0]);
  });

  test("bias, then repetition, on run.c's logits: the picks match the reference, log-probabilities stay raw", async () => {
    const g = golden();
    const logits = Float32Array.from(g.logits_after_prompt);
    const lse = Math.log(logits.reduce((s, l) => s + Math.exp(l), 0));
    const prompt = g.logits_prompt_token_ids;
    // Token 378 is in the prompt: +12 puts it on top, a repetition penalty of 1.8 takes it off again.
    const bias = { logitBias: new Map([[378, 12]]) };
    const both = { ...bias, repetitionPenalty: 1.8, promptTokens: new Set(prompt) };
    const pick = async (params: object) =>
      logprobsOf(
        (await collect(engine.generate(prompt, { ...GREEDY, maxTokens: 1, logprobs: 5, ...params }))).outputs,
      )[0]!;
    const biased = await pick({ logitBias: { 378: 12 } });
    expect(biased.tokenId).toBe(argmax(penaltiesRef(logits, logits.length, [bias])));
    expect(biased.tokenId).toBe(378);
    // Raw: the token's log-probability before the bias (about -9.6), and the raw top token first.
    expect(biased.logprob).toBeCloseTo(logits[378]! - lse, 3);
    expect(biased.top[0]!.tokenId).toBe(argmax(logits));
    const penalized = await pick({ logitBias: { 378: 12 }, repetitionPenalty: 1.8 });
    expect(penalized.tokenId).toBe(argmax(penaltiesRef(logits, logits.length, [both])));
    expect(penalized.tokenId).not.toBe(378);
  });

  test('logit bias: +100 forces a token, -100 bans one', async () => {
    const forced = await collect(
      engine.generate('Once', { ...GREEDY, maxTokens: 5, logitBias: { 42: 100 } }),
    );
    expect(forced.ids[0]).toEqual([42, 42, 42, 42, 42]);
    // Greedy alone says "play" twice in these 20 tokens.
    const plain = await collect(engine.generate('Once', { ...GREEDY, maxTokens: 5 }));
    const banned = plain.ids[0]![0]!;
    const without = await collect(
      engine.generate('Once', { ...GREEDY, maxTokens: 5, logitBias: { [banned]: -100 } }),
    );
    expect(without.ids[0]).not.toContain(banned);
  });

  test('a batch neighbour with penalties changes nothing for a request without', async () => {
    const sampled = { temperature: 1, topP: 0.9, maxTokens: 20, ignoreEos: true, seed: 5 };
    const alone = await collect(engine.generate('Lily and Ben', sampled));
    const [together] = await Promise.all([
      collect(engine.generate('Lily and Ben', sampled)),
      collect(engine.generate('The cat', { ...sampled, seed: 9, frequencyPenalty: 1, logitBias: { 7: 3 } })),
    ]);
    expect(together.ids[0]).toEqual(alone.ids[0]);
  });

  test.each([
    [{ presencePenalty: 2.5 }, 'presence_penalty', /in \[-2, 2\]/],
    [{ frequencyPenalty: -3 }, 'frequency_penalty', /in \[-2, 2\]/],
    [{ repetitionPenalty: 0 }, 'repetition_penalty', /in \[0.000001, 1000000\]/],
    [{ logitBias: { 5: 101 } }, 'logit_bias', /\[-100, 100\]/],
    [{ logitBias: { 512: 1 } }, 'logit_bias', /not in the vocabulary \(size 512\)/],
  ])('%j is refused naming %s', (params, param, message) => {
    let error: unknown;
    try {
      engine.validate([1, 2], params);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EngineInputError);
    expect(error).toMatchObject({ param, message: expect.stringMatching(message) });
  });
});
