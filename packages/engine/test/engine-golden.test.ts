/**
 * The engine against llama2.c's run.c on stories260K: greedy tokens must match
 * exactly, in both file formats, alone and all at once.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { Engine } from '../src/index.js';
import { collect, golden, storiesEngine } from './engine-fixtures.js';

describe.each(['gguf', 'llama2c'] as const)('stories260K %s', (format) => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await storiesEngine(format);
  });
  afterAll(() => engine.shutdown());

  test.each(golden().runs.map((r) => [r.prompt, r] as const))('greedy "%s" matches run.c', async (_, run) => {
    // run.c stops only on BOS, so EOS is ignored to compare whole runs.
    const params = { temperature: 0, maxTokens: run.generated_token_ids.length, ignoreEos: true };
    expect(engine.tokenizer.encode(run.prompt)).toEqual(run.prompt_token_ids);
    const { ids, text } = await collect(engine.generate(run.prompt, params));
    expect(ids[0]).toEqual(run.generated_token_ids);
    expect(text[0]).toBe(run.generated_text);
  });

  test('all golden prompts at once give the same tokens as alone', async () => {
    const runs = golden().runs;
    const results = await Promise.all(
      runs.map((r) =>
        collect(
          engine.generate(r.prompt, {
            temperature: 0,
            maxTokens: r.generated_token_ids.length,
            ignoreEos: true,
          }),
        ),
      ),
    );
    results.forEach((res, i) => expect(res.ids[0]).toEqual(runs[i]!.generated_token_ids));
    expect(engine.core.scheduler.kvCacheUsage().blocksUsed).toBe(0);
  });
});
