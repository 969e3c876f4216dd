/** End-of-generation ids: which tokens a vocabulary says end a turn, and that the engine stops on them. */
import { afterAll, describe, expect, test } from '@jest/globals';
import { createEngine } from '../src/index.js';
import { gguf } from '../src/model/gguf-metadata.js';
import {
  Tokenizer,
  TokenType,
  tokenizerSpecFromMetadata,
  type TokenizerSpec,
} from '../src/tokenizer/index.js';
import { collect } from './engine-fixtures.js';
import { rewriteGguf, tempDir, writeSmall } from './fixtures-gguf.js';

const { normal, control, userDefined } = TokenType;

function bpeSpec(tokens: string[], types: number[], ids: Partial<TokenizerSpec> = {}): TokenizerSpec {
  return { model: 'gpt2', tokens, tokenTypes: types, merges: [], ...ids };
}

describe('Tokenizer.endOfGenerationIds', () => {
  test('EOS, EOT and EOM from the file, and special tokens spelled as end-of-turn markers', () => {
    const tokens = [
      'a',
      '<|endoftext|>',
      '<|im_start|>',
      '<|im_end|>',
      '<|eot_id|>',
      '<|end|>',
      'b',
      '<stop>',
    ];
    const types = [normal, control, control, control, userDefined, normal, normal, control];
    const t = new Tokenizer(bpeSpec(tokens, types, { eosId: 1, eotId: 7, eomId: 6 }));
    // <|end|> is a NORMAL piece here: ordinary text, never a stop. <|im_start|> is special but no marker.
    expect(t.endOfGenerationIds).toEqual([1, 3, 4, 6, 7]);
  });

  test('read from GGUF metadata keys', () => {
    const md = new Map<string, unknown>([
      ['tokenizer.ggml.model', 'gpt2'],
      ['tokenizer.ggml.tokens', ['x', 'y', 'z']],
      ['tokenizer.ggml.merges', []],
      ['tokenizer.ggml.eot_token_id', 2],
      ['tokenizer.ggml.eom_token_id', 1],
    ]);
    const spec = tokenizerSpecFromMetadata((k) => md.get(k));
    expect(spec).toMatchObject({ eotId: 2, eomId: 1 });
    expect(new Tokenizer(spec).endOfGenerationIds).toEqual([1, 2]);
  });

  test('an id outside the vocabulary is refused, naming the field', () => {
    expect(() => new Tokenizer(bpeSpec(['x'], [normal], { eotId: 5 }))).toThrow(/eotId 5/);
  });
});

describe('the engine stops at an end-of-turn token', () => {
  const dir = tempDir();
  afterAll(() => dir.remove());

  test('unless ignoreEos, reporting the token as the stop reason', async () => {
    const plain = writeSmall(dir.file('small.gguf'));
    const params = { temperature: 0, maxTokens: 12 };
    let engine = await createEngine({ model: plain, kvCache: { numBlocks: 64 } });
    const free = await collect(engine.generate('hello', { ...params, ignoreEos: true }));
    await engine.shutdown();
    const ids = free.ids[0]!;
    // The first token produced for the first time at position ≥ 2 becomes the model's EOT.
    const at = ids.findIndex((id, i) => i >= 2 && ids.indexOf(id) === i);
    expect(at).toBeGreaterThan(0);
    const eot = ids[at]!;

    const withEot = rewriteGguf(plain, dir.file('eot.gguf'), (c) =>
      c.metadata.set('tokenizer.ggml.eot_token_id', gguf.u32(eot)),
    );
    engine = await createEngine({ model: withEot, kvCache: { numBlocks: 64 } });
    try {
      expect(engine.tokenizer.endOfGenerationIds).toContain(eot);
      const stopped = await collect(engine.generate('hello', params));
      expect(stopped.ids[0]).toEqual(ids.slice(0, at + 1));
      expect(stopped.outputs.at(-1)).toMatchObject({ finishReason: 'stop', stopReason: eot });
      const ignored = await collect(engine.generate('hello', { ...params, ignoreEos: true }));
      expect(ignored.ids[0]).toEqual(ids);
      expect(engine.core.scheduler.kvCacheUsage().blocksUsed).toBe(0);
    } finally {
      await engine.shutdown();
    }
  });
});
