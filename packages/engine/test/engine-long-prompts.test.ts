/**
 * Text prompts longer than the context are refused once that is known, without tokenizing the rest
 * of a multi-megabyte text, whether given to `generate` or to `encodePrompt`.
 */
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { EngineInputError, type Engine } from '../src/index.js';
import { storiesEngine } from './engine-fixtures.js';

let engine: Engine;
beforeAll(async () => {
  engine = await storiesEngine('gguf');
});
afterAll(() => engine.shutdown());

const huge = 'Once upon a time, there was a little girl named Lily. '.repeat(70_000);
const tooLong =
  /maximum context length is 512 tokens\. However, your prompt contains more than 512 input tokens/;

test('generate refuses a 3.8 MB text prompt, naming the context length', () => {
  expect(() => engine.generate(huge, { maxTokens: 1 })).toThrow(EngineInputError);
  expect(() => engine.generate(huge, { maxTokens: 1 })).toThrow(tooLong);
  expect(engine.core.scheduler.numWaiting).toBe(0);
});

test('encodePrompt gives the ids of a prompt that fits and refuses one that does not', async () => {
  const text = '<s>Lily saw a big dog.';
  expect(await engine.encodePrompt(text)).toEqual(engine.tokenizer.encode(text));
  expect(await engine.encodePrompt(text, true)).toEqual(
    engine.tokenizer.encode(text, { parseSpecial: true }),
  );
  const refused = engine.encodePrompt(huge);
  await expect(refused).rejects.toThrow(EngineInputError);
  await expect(refused).rejects.toMatchObject({ param: 'input_tokens' });
  await expect(refused).rejects.toThrow(tooLong);
});
