/**
 * Batch invariance: concurrent greedy requests produce exactly the tokens each
 * produces alone, under preemption (a tiny KV pool), chunked prefill (a tiny
 * token budget) and prefix caching with shared prefixes. Nothing is lost or
 * duplicated, and no KV block is left held.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createGpu, type Gpu } from '@x/kernels-webgpu';
import { loadModel, type Engine, type EngineOptions, type LoadedModel } from '../src/index.js';
import { collect, storiesEngine } from './engine-fixtures.js';
import { modelPath } from '@x/test-models';

const PROMPTS = [
  'Once upon a time',
  'Once upon a time, there was a little girl',
  'Once upon a time, there was a little dog',
  'Lily wanted',
  'The dog ran to the park and saw a big red ball. He wanted',
  'Tom and Sue',
  'One day',
  'The sun was',
];
const PARAMS = { temperature: 0, maxTokens: 40, ignoreEos: true };

let gpu: Gpu;
let model: LoadedModel;
let alone: number[][];

async function generateAll(options: Partial<EngineOptions>): Promise<{ ids: number[][]; engine: Engine }> {
  const engine = await storiesEngine('gguf', { model, gpu, ...options });
  const results = await Promise.all(PROMPTS.map((p) => collect(engine.generate(p, PARAMS))));
  return { ids: results.map((r) => r.ids[0]!), engine };
}

beforeAll(async () => {
  gpu = await createGpu();
  model = loadModel(modelPath('stories260K.gguf'));
  alone = [];
  const engine = await storiesEngine('gguf', { model, gpu, enablePrefixCaching: false });
  for (const p of PROMPTS) alone.push((await collect(engine.generate(p, PARAMS))).ids[0]!);
  await engine.shutdown();
});
afterAll(() => gpu.destroy());

describe('concurrent greedy requests match their solo runs', () => {
  test.each([
    ['a roomy pool', {}],
    [
      'a pool small enough to force preemption',
      { kvCache: { numBlocks: 12 }, maxModelLen: 192, enablePrefixCaching: false },
    ],
    ['chunked prefill in 8-token chunks', { maxNumBatchedTokens: 8 }],
    ['prefix caching with shared prefixes', { enablePrefixCaching: true, blockSize: 4 }],
    [
      'preemption, chunking and prefix caching together',
      { kvCache: { numBlocks: 40 }, maxModelLen: 160, blockSize: 4, maxNumBatchedTokens: 16 },
    ],
  ] as const)('%s', async (_, options) => {
    const { ids, engine } = await generateAll(options);
    expect(ids).toEqual(alone);
    expect(engine.core.scheduler.kvCacheUsage().blocksUsed).toBe(0);
    await engine.shutdown();
  });

  test('the tiny pool really preempts', async () => {
    const engine = await storiesEngine('gguf', {
      model,
      gpu,
      kvCache: { numBlocks: 12 },
      maxModelLen: 192,
      enablePrefixCaching: false,
    });
    let preemptions = 0;
    engine.use({ onPreempted: () => void preemptions++ });
    const results = await Promise.all(PROMPTS.map((p) => collect(engine.generate(p, PARAMS))));
    expect(results.map((r) => r.ids[0])).toEqual(alone);
    expect(preemptions).toBeGreaterThan(0);
    expect(engine.core.stats.counters.preemptions).toBe(preemptions);
    await engine.shutdown();
  });
});
