/**
 * Server-wide request settings: vLLM's `--seed` (an engine given a seed
 * draws the seeds of requests that give none from the same sequence every
 * run, so two runs sample alike) and `--max-logprobs` (the cap on the
 * alternatives a request may ask for).
 */
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { createGpu, type Gpu } from '@x/kernels-webgpu';
import { EngineConfigError, EngineInputError } from '../src/index.js';
import { collect, storiesEngine } from './engine-fixtures.js';

let gpu: Gpu;
beforeAll(async () => {
  gpu = await createGpu();
});
afterAll(() => gpu.destroy());

/** The token ids of three unseeded requests at temperature 1 on a fresh engine built with `seed`. */
async function unseededRun(seed: number | undefined): Promise<number[][]> {
  const engine = await storiesEngine('gguf', { gpu, seed });
  try {
    const runs: number[][] = [];
    for (let i = 0; i < 3; i++) {
      const { ids } = await collect(engine.generate('Once upon a time', { maxTokens: 12, temperature: 1 }));
      runs.push(ids[0]!);
    }
    return runs;
  } finally {
    await engine.shutdown();
  }
}

test('two engines with the same seed sample the same unseeded requests; requests still differ', async () => {
  const first = await unseededRun(0);
  expect(await unseededRun(0)).toEqual(first);
  // Each request draws its own seed from the sequence: the same prompt is not sampled the same way.
  expect(new Set(first.map((ids) => ids.join())).size).toBeGreaterThan(1);
  expect(await unseededRun(1)).not.toEqual(first);
});

test("maxLogprobs caps logprobs and prompt_logprobs, naming the field; above the sampler's 20 it is refused", async () => {
  const engine = await storiesEngine('gguf', { gpu, maxLogprobs: 2 });
  try {
    for (const [params, param] of [
      [{ logprobs: 3 }, 'logprobs'],
      [{ promptLogprobs: 3 }, 'prompt_logprobs'],
    ] as const) {
      const error = (() => {
        try {
          engine.validate([1, 2], params);
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(EngineInputError);
      expect(error).toMatchObject({ param, message: expect.stringMatching(/in \[0, 2\]/) });
    }
    const { outputs } = await collect(engine.generate('Once', { maxTokens: 2, logprobs: 2 }));
    expect(outputs.flatMap((o) => o.logprobs ?? [])).toHaveLength(2);
  } finally {
    await engine.shutdown();
  }
  await expect(storiesEngine('gguf', { gpu, maxLogprobs: 21 })).rejects.toThrow(EngineConfigError);
});
