/**
 * Prompt log-probabilities: against run.c's logits at the first position, and
 * against the engine's own decode-time log-probabilities for the same tokens
 * (prefill rows versus single-token steps), whole or chunked, in one
 * classifier group or several, with prefix caching on.
 */
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { assertClose } from '@x/kernels-webgpu/testing';
import type { Engine, GenerationOutput, TokenLogprob } from '../src/index.js';
import { collect, golden, storiesEngine } from './engine-fixtures.js';

let whole: Engine;
let chunked: Engine;
beforeAll(async () => {
  whole = await storiesEngine('gguf');
  chunked = await storiesEngine('gguf', { maxNumBatchedTokens: 24 });
});
afterAll(async () => {
  await whole.shutdown();
  await chunked.shutdown();
});

const GREEDY = { temperature: 0, ignoreEos: true } as const;
// f32 log-softmax of logits that match run.c's within ~5e-5 (engine-logits.test.ts).
const TOL = { rtol: 1e-4, atol: 2e-4 };

const promptScores = (outputs: GenerationOutput[]) => outputs.find((o) => o.promptLogprobs)!.promptLogprobs!;

test("position 1 is scored from run.c's logits after BOS", async () => {
  const g = golden();
  const bos = g.first_logits_bos;
  const lse = Math.log(bos.reduce((s, l) => s + Math.exp(l), 0));
  const prompt = g.logits_prompt_token_ids;
  const { outputs } = await collect(whole.generate(prompt, { ...GREEDY, maxTokens: 1, promptLogprobs: 5 }));
  const scores = promptScores(outputs);
  expect(scores).toHaveLength(prompt.length);
  expect(scores[0]).toBeNull();
  const first = scores[1]!;
  expect(first.tokenId).toBe(prompt[1]);
  assertClose([first.logprob], [bos[prompt[1]!]! - lse], TOL, 'logprob');
  const order = bos.map((l, id) => [l, id] as const).sort((a, b) => b[0] - a[0]);
  expect(first.top.map((t) => t.tokenId)).toEqual(order.slice(0, 5).map(([, id]) => id));
  assertClose(
    first.top.map((t) => t.logprob),
    order.slice(0, 5).map(([l]) => l - lse),
    TOL,
    'top',
  );
});

test.each([
  ['whole, one classifier group', 'whole', 40],
  ['chunked by a 24-token budget', 'chunked', 40],
  ['whole, over 256 rows (two groups)', 'whole', 300],
])('scores equal the decode-time log-probabilities of the same tokens: %s', async (_, which, length) => {
  const engine = which === 'whole' ? whole : chunked;
  const prompt = whole.tokenizer.encode('Once upon a time');
  const gen = await collect(engine.generate(prompt, { ...GREEDY, maxTokens: length, logprobs: 3 }));
  const decoded = gen.outputs.flatMap((o) => o.logprobs ?? []);
  const all = [...prompt, ...gen.ids[0]!];
  const { outputs } = await collect(engine.generate(all, { ...GREEDY, maxTokens: 1, promptLogprobs: 3 }));
  const scores = promptScores(outputs).slice(prompt.length) as TokenLogprob[];
  expect(scores.map((s) => s.tokenId)).toEqual(gen.ids[0]);
  // Values, not top-3 ids: two alternatives within rounding of each other may swap places.
  assertClose(
    scores.map((s) => s.logprob),
    decoded.map((d) => d.logprob),
    TOL,
    'logprobs',
  );
  assertClose(
    scores.flatMap((s) => s.top.map((t) => t.logprob)),
    decoded.flatMap((d) => d.top.map((t) => t.logprob)),
    TOL,
    'top logprobs',
  );
  expect(engine.core.scheduler.kvCacheUsage().blocksUsed).toBe(0);
});

test('a cached prompt is still scored in full, by every sequence', async () => {
  const prompt = 'Lily and Ben went to the park to play with a ball';
  await collect(whole.generate(prompt, { ...GREEDY, maxTokens: 2 })); // fills the prefix cache
  const hitsBefore = whole.core.scheduler.kvCacheUsage().prefixCacheHits;
  const { outputs } = await collect(
    whole.generate(prompt, { ...GREEDY, maxTokens: 2, n: 2, promptLogprobs: 0 }),
  );
  const withScores = outputs.filter((o) => o.promptLogprobs);
  expect(withScores.map((o) => o.index).sort()).toEqual([0, 1]);
  const [a, b] = withScores.map((o) => o.promptLogprobs!);
  expect(a!.slice(1).every((s) => s !== null && Number.isFinite(s.logprob) && s.top.length === 0)).toBe(true);
  expect(a).toHaveLength(whole.tokenizer.encode(prompt).length);
  expect(b).toEqual(a);
  expect(whole.core.scheduler.kvCacheUsage().prefixCacheHits).toBe(hitsBefore);
  // A request that does not score still reads the cache the scoring ones filled.
  await collect(whole.generate(prompt, { ...GREEDY, maxTokens: 2 }));
  expect(whole.core.scheduler.kvCacheUsage().prefixCacheHits).toBeGreaterThan(hitsBefore);
});

test('under preemption and recompute, every request still gets every score, the same as alone', async () => {
  // 9 blocks of 16 tokens for three 60-token prompts generating 40 each: the pool runs out.
  const tight = await storiesEngine('gguf', {
    kvCache: { numBlocks: 9 },
    maxModelLen: 144,
    maxNumBatchedTokens: 16,
  });
  try {
    const prompts = ['Once upon a time', 'Lily and Ben', 'The little dog'].map((text) => {
      const ids = tight.tokenizer.encode(text);
      return [...ids, ...Array.from({ length: 60 - ids.length }, (_, i) => ids[1 + (i % (ids.length - 1))]!)];
    });
    const params = { ...GREEDY, maxTokens: 40, promptLogprobs: 2 };
    const alone: (readonly (TokenLogprob | null)[])[] = [];
    for (const p of prompts) alone.push(promptScores((await collect(tight.generate(p, params))).outputs));
    const before = tight.core.stats.counters.preemptions;
    const together = await Promise.all(prompts.map((p) => collect(tight.generate(p, params))));
    expect(tight.core.stats.counters.preemptions).toBeGreaterThan(before);
    together.forEach(({ outputs }, i) => {
      const scores = promptScores(outputs);
      expect(scores.map((s) => s?.tokenId)).toEqual(alone[i]!.map((s) => s?.tokenId));
      assertClose(
        scores.slice(1).map((s) => s!.logprob),
        alone[i]!.slice(1).map((s) => s!.logprob),
        TOL,
        'logprobs',
      );
    });
  } finally {
    await tight.shutdown();
  }
});
