import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { IncrementalDetokenizer, Tokenizer, type DetokenizerOptions } from '../src/tokenizer/index.js';
import { BYTE_TO_CHAR } from '../src/tokenizer/byte-level.js';
import { ggufSpec, goldenRuns } from './tokenizer-fixtures.js';

const spm = new Tokenizer(ggufSpec());
/** stories260K's byte tokens are `<0xXX>` at id byte + 3. */
const byteIds = (s: string): number[] => [...new TextEncoder().encode(s)].map((b) => b + 3);

/** Streams ids one at a time; returns every increment, the flush last. */
function stream(tokenizer: Tokenizer, ids: readonly number[], options: DetokenizerOptions = {}): string[] {
  const detokenizer = new IncrementalDetokenizer(tokenizer, options);
  const parts = ids.map((id) => detokenizer.push(id));
  parts.push(detokenizer.flush());
  expect(detokenizer.text).toBe(parts.join(''));
  return parts;
}

/** Random ids mixing any token with whole characters spelt as byte tokens. */
const idSequence = fc
  .array(
    fc.oneof(
      fc.integer({ min: 0, max: 511 }).map((id) => [id]),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 2 }).map(byteIds),
    ),
    { maxLength: 40 },
  )
  .map((chunks) => chunks.flat());

describe('IncrementalDetokenizer', () => {
  test('streams the golden generations: increments concatenate to generated_text', () => {
    for (const run of goldenRuns()) {
      expect(stream(spm, run.generated_token_ids).join('')).toBe(run.generated_text);
      const withPrompt = stream(spm, run.generated_token_ids, { promptIds: run.prompt_token_ids });
      expect(withPrompt.join('')).toBe(run.generated_text);
      const all = [...run.prompt_token_ids, ...run.generated_token_ids];
      expect(stream(spm, all).join('') + '\n').toBe(run.text);
    }
  });

  test('holds back a character split over byte tokens until it is complete', () => {
    const ids = [...byteIds('日'), ...byteIds('🙂')];
    expect(stream(spm, ids)).toEqual(['', '', '日', '', '', '', '🙂', '']);
  });

  test('an unfinished character at the end comes out of flush as U+FFFD, as decode gives it', () => {
    const ids = byteIds('日').slice(0, 2);
    expect(stream(spm, ids)).toEqual(['', '', '\uFFFD']);
    expect(spm.decode(ids)).toBe('\uFFFD');
  });

  test('the prompt sets the dummy-prefix state: a reply right after BOS loses its space', () => {
    const reply = spm.encode('Hi there', { addSpecialTokens: false });
    expect(stream(spm, reply, { promptIds: [spm.bosId as number] }).join('')).toBe('Hi there');
    expect(stream(spm, reply).join('')).toBe(' Hi there');
    expect(stream(spm, reply, { textStart: true }).join('')).toBe('Hi there');
  });

  test('property: increments concatenate to decode(ids); valid UTF-8 never shows U+FFFD', () => {
    const options = fc.record({ skipSpecialTokens: fc.boolean(), textStart: fc.boolean() });
    fc.assert(
      fc.property(idSequence, options, (ids, opts) => {
        const parts = stream(spm, ids, opts);
        const full = spm.decode(ids, opts);
        expect(parts.join('')).toBe(full);
        if (!full.includes('\uFFFD')) expect(parts.some((p) => p.includes('\uFFFD'))).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });

  test('property: with a prompt, increments give the continuation of decode(prompt)', () => {
    const complete = fc.string({ unit: 'binary', maxLength: 12 }).map((s) => spm.encode(s));
    fc.assert(
      fc.property(complete, idSequence, (promptIds, ids) => {
        const expected = spm.decode([...promptIds, ...ids]).slice(spm.decode(promptIds).length);
        expect(stream(spm, ids, { promptIds }).join('')).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });

  test('byte-level BPE: streaming the ids of any text gives the text back', () => {
    const bpe = new Tokenizer({ model: 'gpt2', tokens: [...BYTE_TO_CHAR], merges: [], pre: 'llama3' });
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const parts = stream(bpe, bpe.encode(s));
        expect(parts.join('')).toBe(s);
        expect(parts.some((p) => p.includes('\uFFFD'))).toBe(s.includes('\uFFFD'));
      }),
    );
  });

  test('push after flush is an error', () => {
    const detokenizer = new IncrementalDetokenizer(spm);
    detokenizer.flush();
    expect(() => detokenizer.push(5)).toThrow('push after flush');
  });
});
