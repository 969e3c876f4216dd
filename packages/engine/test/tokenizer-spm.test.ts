import { readFileSync } from 'node:fs';
import { describe, expect, test } from '@jest/globals';
import { Tokenizer, TokenType, tokenizerSpecFromMetadata } from '../src/tokenizer/index.js';
import { modelPath } from '@x/test-models';
import { ggufSpec, goldenRuns, llama2cSpec, readGgufMetadata, tokenizeGolden } from './tokenizer-fixtures.js';

const gguf = new Tokenizer(ggufSpec());
const llama2c = new Tokenizer(llama2cSpec());

describe('SentencePiece tokenizer on stories260K', () => {
  test('the GGUF metadata gives the expected spec', () => {
    const spec = ggufSpec();
    expect(spec).toMatchObject({
      model: 'llama',
      bosId: 1,
      eosId: 2,
      unkId: 0,
      addBosToken: true,
      addSpacePrefix: true,
    });
    expect(spec.tokens).toHaveLength(512);
    expect(spec.tokens.slice(0, 3)).toEqual(['<unk>', '<s>', '</s>']);
  });

  test('metadata arrays may come as { items } wrappers and integers as bigints', () => {
    const metadata = readGgufMetadata(readFileSync(modelPath('stories260K.gguf')));
    const wrapped = (key: string): unknown => {
      const value = metadata.get(key);
      return Array.isArray(value)
        ? { itemType: 'x', items: value }
        : typeof value === 'number' && key.endsWith('_id')
          ? BigInt(value)
          : value;
    };
    expect(tokenizerSpecFromMetadata(wrapped)).toEqual(ggufSpec());
  });

  test('tok512.bin and the GGUF give the same spec', () => {
    const fromBin = llama2cSpec();
    const fromGguf = ggufSpec();
    expect(fromBin.tokens).toEqual(fromGguf.tokens);
    expect(fromBin.tokenTypes).toEqual(fromGguf.tokenTypes);
    expect(Array.from(fromBin.scores ?? [])).toEqual(Array.from(fromGguf.scores ?? []));
  });

  test.each(tokenizeGolden())('encodes $text as run.c and llama.cpp do', ({ text, ids }) => {
    expect(gguf.encode(text)).toEqual(ids);
    expect(llama2c.encode(text)).toEqual(ids);
  });

  test.each(tokenizeGolden())('decode(encode($text)) gives the text back', ({ text, ids }) => {
    expect(gguf.decode(ids)).toBe(text);
  });

  test('golden prompts encode to the golden ids and the runs decode to the golden text', () => {
    for (const run of goldenRuns()) {
      expect(gguf.encode(run.prompt)).toEqual(run.prompt_token_ids);
      // A continuation keeps its leading space; after BOS the dummy prefix is dropped.
      expect(gguf.decode(run.generated_token_ids)).toBe(run.generated_text);
      expect(gguf.decode([...run.prompt_token_ids, ...run.generated_token_ids]) + '\n').toBe(run.text);
    }
  });

  test('empty text is BOS alone, no dummy prefix', () => {
    expect(gguf.encode('')).toEqual([1]);
    expect(gguf.encode('', { addSpecialTokens: false })).toEqual([]);
  });

  test('control tokens in text are plain text unless parseSpecial', () => {
    const plain = gguf.encode('<s>hi</s>');
    expect(plain.slice(1)).not.toContain(1);
    expect(plain).not.toContain(2);
    // Parsed: no second BOS, and the text after a special token gets the dummy prefix (llama.cpp).
    const parsed = gguf.encode('<s>hi</s>', { parseSpecial: true });
    expect(parsed).toEqual([1, ...gguf.encode('hi', { addSpecialTokens: false }), 2]);
    expect(gguf.decode(parsed, { skipSpecialTokens: false })).toBe('<s>hi</s>');
    expect(gguf.decode(parsed)).toBe('hi');
  });

  test('textStart drops the dummy-prefix space of a sequence without BOS', () => {
    const ids = gguf.encode('Once upon', { addSpecialTokens: false });
    expect(gguf.decode(ids)).toBe(' Once upon');
    expect(gguf.decode(ids, { textStart: true })).toBe('Once upon');
  });

  test('byte tokens reassemble UTF-8; a broken sequence decodes to U+FFFD', () => {
    const snowman = [...new TextEncoder().encode('☃')].map((b) => b + 3);
    expect(gguf.decode(snowman)).toBe('☃');
    expect(gguf.decode(snowman.slice(0, 2))).toBe('\uFFFD');
    expect(gguf.tokenType(snowman[0] as number)).toBe(TokenType.byte);
  });

  test('8k-token prompts encode quickly', () => {
    const text = 'Once upon a time, there was a little girl named Lily. Ünïcödé ☃ 日本 €\n'.repeat(200);
    const start = performance.now();
    const ids = gguf.encode(text);
    const ms = performance.now() - start;
    expect(ids.length).toBeGreaterThan(8000);
    expect(gguf.decode(ids)).toBe(text);
    // A generous bound (measured ~10 ms); it only catches a quadratic regression.
    expect(ms).toBeLessThan(1000);
  });

  test('bad input fails clearly', () => {
    expect(() => gguf.decode([512])).toThrow('token id 512 is outside the vocabulary of 512 tokens');
    expect(() => tokenizerSpecFromMetadata(() => undefined)).toThrow(
      "tokenizer.ggml.model: expected 'llama' or 'gpt2'",
    );
    const spec = ggufSpec();
    const get = (key: string): unknown =>
      key === 'tokenizer.ggml.scores'
        ? [1, 2]
        : key === 'tokenizer.ggml.model'
          ? 'llama'
          : key === 'tokenizer.ggml.tokens'
            ? spec.tokens
            : undefined;
    expect(() => tokenizerSpecFromMetadata(get)).toThrow(
      'tokenizer.ggml.scores: expected 512 entries (one per token), got array of 2',
    );
    expect(() => new Tokenizer({ ...spec, scores: undefined })).toThrow(
      'scores are required for model llama',
    );
    expect(() => new Tokenizer({ ...spec, bosId: 600 })).toThrow('bosId 600 is outside the vocabulary');
  });
});
