/**
 * Warm-up: after `createEngine({ warmUp: true })` serving builds no GPU
 * pipeline (every shape a step can take was run once), and the dummy steps
 * leave no trace in what requests compute or in the scheduler.
 */
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import type { Engine } from '../src/index.js';
import { warmUpSteps } from '../src/runner/index.js';
import { collect, golden, storiesEngine } from './engine-fixtures.js';

let engine: Engine;
beforeAll(async () => {
  engine = await storiesEngine('gguf', { warmUp: true, maxNumSeqs: 24, maxNumBatchedTokens: 64 });
});
afterAll(() => engine.shutdown());

test('serving after warm-up builds no pipeline and matches run.c', async () => {
  const built = engine.runner.numPipelines;
  expect(built).toBeGreaterThan(0);
  const { runs } = golden();
  const greedy = (maxTokens: number) => ({ temperature: 0, maxTokens, ignoreEos: true });
  // Every golden prompt at once (a batch growing and shrinking), then batches of 1 to 24 short
  // requests, then one prompt that fills the context (chunked by the 64-token budget).
  const results = await Promise.all(
    runs.map((r) => collect(engine.generate(r.prompt, greedy(r.generated_token_ids.length)))),
  );
  results.forEach((res, i) => expect(res.ids[0]).toEqual(runs[i]!.generated_token_ids));
  for (let n = 1; n <= 24; n += 5)
    await Promise.all(Array.from({ length: n }, () => collect(engine.generate('Once', greedy(3)))));
  const long = Array<number>(engine.maxModelLen - 2).fill(engine.tokenizer.encode('Lily')[1]!);
  await collect(engine.generate(long, { ...greedy(2), topK: 5, temperature: 0.8, logprobs: 3 }));
  expect(engine.runner.numPipelines).toBe(built);
  expect(engine.core.scheduler.kvCacheUsage().blocksUsed).toBe(0);
  expect(engine.core.stats.counters.promptTokens).toBe(
    runs.reduce((n, r) => n + r.prompt_token_ids.length, 0) + 2 * (1 + 6 + 11 + 16 + 21) + long.length,
  );
});

test('warm-up steps stay within the limits and the pool', () => {
  const steps = warmUpSteps(
    { maxNumSeqs: 3, maxNumBatchedTokens: 8, maxModelLen: 100 },
    {
      numBlocks: 5,
      blockSize: 16,
    },
  );
  for (const step of steps) {
    expect(step.scheduled.length).toBeLessThanOrEqual(3);
    expect(step.totalNumScheduledTokens).toBeLessThanOrEqual(8);
    for (const e of step.scheduled) {
      expect(e.startPosition + e.numTokens).toBeLessThanOrEqual(80);
      expect(Math.max(...e.blockIds)).toBeLessThan(5);
    }
  }
  // The longest context the pool allows: 5 blocks of 16.
  expect(steps.at(-1)!.scheduled[0]).toMatchObject({ startPosition: 79, numTokens: 1 });
});
