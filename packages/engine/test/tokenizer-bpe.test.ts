import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { BYTE_TO_CHAR, toByteLevel } from '../src/tokenizer/byte-level.js';
import { preTokenize, preTokenizerRegex } from '../src/tokenizer/pre-tokenizer.js';
import { Tokenizer, TokenType, type TokenizerSpec } from '../src/tokenizer/index.js';
import { naiveBpe, trainByteLevelBpe } from './tokenizer-fixtures.js';

const CORPUS = `Once upon a time, there was a little girl named Lily. She didn't like the rain; she'd say "I'm wet!"
In 2024 she counted 1234567 stars, then 3.14159 more... Ünïcödé café, naïve 日本語 テキスト, emoji 🙂🚀!
	Tabs and  double  spaces,\r\nWindows lines, and a last line.
`;

const SPECIALS: [string, number][] = [
  ['<|begin_of_text|>', TokenType.control],
  ['<|end_of_text|>', TokenType.control],
  ['<|im_start|>', TokenType.control],
  ['<|im_end|>', TokenType.control],
  ['<think>', TokenType.userDefined],
];

/** A spec around trained merges with the special tokens above appended. */
function trainedSpec(pre: string, addBosToken: boolean, extraPieces: string[] = []): TokenizerSpec {
  const { tokens, merges } = trainByteLevelBpe(CORPUS, 400, pre);
  const all = [...tokens, ...extraPieces, ...SPECIALS.map(([text]) => text)];
  const tokenTypes = [
    ...all.slice(SPECIALS.length).map(() => TokenType.normal),
    ...SPECIALS.map(([, type]) => type),
  ];
  const bosId = all.indexOf('<|begin_of_text|>');
  return { model: 'gpt2', tokens: all, tokenTypes, merges, pre, bosId, eosId: bosId + 1, addBosToken };
}

const llama3 = new Tokenizer(trainedSpec('llama3', true, ['zzzz']));
const qwen2 = new Tokenizer(trainedSpec('qwen2', false, ['zzzz']));
const pieces = (t: Tokenizer, ids: number[]): string[] => ids.map((id) => t.tokenText(id));

describe('byte-level BPE merges', () => {
  /** Hand-written table: 256 byte pieces, then these. */
  const handSpec = (merges: string[], extra: string[]): TokenizerSpec => ({
    model: 'gpt2',
    tokens: [...BYTE_TO_CHAR, ...extra],
    merges,
    pre: 'gpt2',
  });

  test('known splits follow merge ranks', () => {
    const merges = ['h e', 'l l', 'he ll', 'hell o', 'Ġ w', 'o r', 'Ġw or', 'Ġwor l', 'Ġworl d'];
    const t = new Tokenizer(
      handSpec(merges, ['he', 'll', 'hell', 'hello', 'Ġw', 'or', 'Ġwor', 'Ġworl', 'Ġworld']),
    );
    expect(pieces(t, t.encode('hello world'))).toEqual(['hello', 'Ġworld']);
    expect(pieces(t, t.encode('hellow worl'))).toEqual(['hello', 'w', 'Ġworl']);
    expect(t.decode(t.encode('hello world'))).toBe('hello world');
  });

  test('a lower rank wins wherever it is; ties go leftmost', () => {
    const bc = new Tokenizer(handSpec(['b c', 'a b'], ['bc', 'ab']));
    expect(pieces(bc, bc.encode('abc'))).toEqual(['a', 'bc']);
    const ab = new Tokenizer(handSpec(['a b', 'b c'], ['ab', 'bc']));
    expect(pieces(ab, ab.encode('abc'))).toEqual(['ab', 'c']);
    const aa = new Tokenizer(handSpec(['a a'], ['aa']));
    expect(pieces(aa, aa.encode('aaa'))).toEqual(['aa', 'a']);
  });

  test('a merged piece missing from the vocabulary falls back to its bytes', () => {
    const t = new Tokenizer(handSpec(['x y'], []));
    expect(pieces(t, t.encode('xy'))).toEqual(['x', 'y']);
  });

  test('the heap encoder agrees with the original GPT-2 loop', () => {
    const ranks = new Map((qwen2.spec.merges ?? []).map((m, i) => [m, i]));
    const regex = preTokenizerRegex('qwen2');
    const text = fc.oneof(fc.string({ unit: 'binary' }), fc.stringMatching(/^[a-zA-Z ,.'\n0-9]{0,40}$/));
    fc.assert(
      fc.property(text, (s) => {
        const expected = preTokenize(s, regex).flatMap((w) => naiveBpe(toByteLevel(w), ranks));
        expect(pieces(qwen2, qwen2.encode(s))).toEqual(expected);
      }),
      { numRuns: 300 },
    );
    const corpus = CORPUS.repeat(3);
    expect(pieces(qwen2, qwen2.encode(corpus))).toEqual(
      preTokenize(corpus, regex).flatMap((w) => naiveBpe(toByteLevel(w), ranks)),
    );
  });

  test('llama3 takes a word that is a whole piece as is (ignore_merges); qwen2 merges it', () => {
    expect(pieces(llama3, llama3.encode('zzzz', { addSpecialTokens: false }))).toEqual(['zzzz']);
    expect(pieces(qwen2, qwen2.encode('zzzz')).join('')).toBe('zzzz');
    expect(qwen2.encode('zzzz')).not.toEqual([qwen2.tokenId('zzzz')]);
  });
});

describe('pre-tokenizer regexes', () => {
  const split = (pre: string, s: string): string[] => preTokenize(s, preTokenizerRegex(pre));

  test('contractions, case-insensitive for llama3/qwen2', () => {
    expect(split('llama3', "I'm don't WE'LL")).toEqual(['I', "'m", ' don', "'t", ' WE', "'LL"]);
    expect(split('qwen2', "she'd they've")).toEqual(['she', "'d", ' they', "'ve"]);
    expect(split('gpt2', "WE'LL")).toEqual(['WE', "'", 'LL']);
  });

  test('numbers: groups of three (llama3), single digits (qwen2), whole runs (gpt2)', () => {
    expect(split('llama3', '12345 x 42')).toEqual(['123', '45', ' x', ' ', '42']);
    expect(split('qwen2', '12345')).toEqual(['1', '2', '3', '4', '5']);
    expect(split('gpt2', '12345 x 42')).toEqual(['12345', ' x', ' 42']);
  });

  test('newlines and whitespace runs', () => {
    expect(split('llama3', 'a\n\nb')).toEqual(['a', '\n\n', 'b']);
    expect(split('llama3', 'x,\n\ny')).toEqual(['x', ',\n\n', 'y']);
    expect(split('llama3', 'hi  \n there')).toEqual(['hi', '  \n', ' there']);
    expect(split('llama3', 'hello   world  ')).toEqual(['hello', '  ', ' world', '  ']);
    expect(split('llama3', 'tabs\t\tx\r\n')).toEqual(['tabs', '\t', '\tx', '\r\n']);
    expect(split('gpt2', 'a\n\nb')).toEqual(['a', '\n', '\n', 'b']);
  });

  test('unicode letters and punctuation', () => {
    expect(split('llama3', '日本語 café ¡Hola!')).toEqual(['日本語', ' café', ' ¡', 'Hola', '!']);
    expect(split('qwen2', '🙂🚀 ok')).toEqual(['🙂🚀', ' ok']);
  });

  test.each(['llama3', 'qwen2', 'gpt2'])('%s words cover the text exactly', (pre) => {
    const regex = preTokenizerRegex(pre);
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => expect(preTokenize(s, regex).join('')).toBe(s)),
    );
  });

  test('an unknown pre-tokenizer is a clear error', () => {
    expect(() => preTokenizerRegex('falcon')).toThrow("unsupported tokenizer.ggml.pre 'falcon'");
  });
});

describe('BPE tokenizer: special tokens, BOS, round trip', () => {
  const bos = llama3.bosId as number;
  const imStart = llama3.tokenId('<|im_start|>') as number;
  const think = llama3.tokenId('<think>') as number;

  test('BOS follows addBosToken and is never doubled', () => {
    expect(llama3.encode('hi')[0]).toBe(bos);
    expect(qwen2.encode('hi')).not.toContain(qwen2.bosId);
    const parsed = llama3.encode('<|begin_of_text|>hi', { parseSpecial: true });
    expect(parsed.filter((id) => id === bos)).toHaveLength(1);
  });

  test('control tokens match whole only with parseSpecial; user-defined always', () => {
    const text = '<|im_start|>user\nhi<think>';
    const plain = llama3.encode(text, { addSpecialTokens: false });
    expect(plain).not.toContain(imStart);
    expect(plain.at(-1)).toBe(think);
    const parsed = llama3.encode(text, { parseSpecial: true, addSpecialTokens: false });
    expect(parsed[0]).toBe(imStart);
    expect(parsed.at(-1)).toBe(think);
    expect(llama3.decode(parsed, { skipSpecialTokens: false })).toBe(text);
    expect(llama3.decode(parsed)).toBe('user\nhi<think>');
    expect(llama3.decode(plain)).toBe(text);
  });

  test.each([
    ['llama3', llama3],
    ['qwen2', qwen2],
  ])('%s: decode(encode(x)) === x for random unicode', (_name, t) => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' })), (s) => {
        expect(t.decode(t.encode(s))).toBe(s);
      }),
      { numRuns: 500 },
    );
  });

  test('8k-token prompts encode quickly', () => {
    const text = CORPUS.repeat(120);
    const start = performance.now();
    const ids = llama3.encode(text);
    const ms = performance.now() - start;
    expect(ids.length).toBeGreaterThan(8000);
    expect(llama3.decode(ids)).toBe(text);
    expect(ms).toBeLessThan(1000);
  });
});
