import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { BpeEncoder } from '../src/tokenizer/bpe.js';
import { encodeSteps } from '../src/tokenizer/encode-loop.js';
import { mergeSteps, runNow } from '../src/tokenizer/merge.js';
import { SpmEncoder } from '../src/tokenizer/spm.js';
import { Tokenizer, TokenType, type TokenizerSpec } from '../src/tokenizer/index.js';
import { Vocab } from '../src/tokenizer/vocab.js';
import { BYTE_TO_CHAR } from '../src/tokenizer/byte-level.js';
import { ggufSpec, naiveBpe, trainByteLevelBpe } from './tokenizer-fixtures.js';

const SPACE = '\u2581';

/**
 * SentencePiece as llama.cpp runs it, the whole fragment merged at once (what the encoder did before
 * it cut text into words): the reference the word-by-word encoder must match.
 */
function wholeFragmentSpm(spec: TokenizerSpec, text: string): number[] {
  const t = new Tokenizer(spec);
  const scores = spec.scores as number[];
  const piece = (s: string) => {
    const id = t.tokenId(s);
    const type = id === undefined ? undefined : t.tokenType(id);
    return type === TokenType.normal || type === TokenType.userDefined ? id : undefined;
  };
  const chars = ` ${text}`.replaceAll(' ', SPACE);
  const pieces = runNow(
    mergeSteps(chars, (left, right) => {
      const id = piece(left + right);
      return id === undefined ? undefined : -(scores[id] as number);
    }),
  );
  return pieces.flatMap((p) => {
    const id = piece(p);
    if (id !== undefined) return [id];
    const bytes = Array.from(new TextEncoder().encode(p), (b) => t.tokenId(`<0x${hex(b)}>`));
    return bytes.every((b) => b !== undefined) ? (bytes as number[]) : [0];
  });
}

const hex = (byte: number) => byte.toString(16).toUpperCase().padStart(2, '0');

/** A SentencePiece vocabulary whose pieces join across spaces (`a▁b`, `▁▁`), with no byte tokens. */
const joiningSpec: TokenizerSpec = (() => {
  const pieces = [SPACE, 'a', 'b', `${SPACE}${SPACE}`, `${SPACE}a`, `a${SPACE}`, 'ab', 'ba', `a${SPACE}b`];
  pieces.push(`${SPACE}${SPACE}${SPACE}`, `${SPACE}ab`, 'aa', 'é', `${SPACE}é`);
  const tokens = ['<unk>', '<s>', '</s>', ...pieces];
  const tokenTypes = [TokenType.unknown, TokenType.control, TokenType.control, ...pieces.map(() => 1)];
  const scores = tokens.map((_, i) => (i < 3 ? 0 : -((i * 7) % 5)));
  return { model: 'llama', tokens, tokenTypes, scores };
})();

/** Texts from pieces of the vocabulary (so that merges happen), spaces and characters outside it. */
function textOf(spec: TokenizerSpec): fc.Arbitrary<string> {
  const pieces = spec.tokens.filter((_, i) => spec.tokenTypes?.[i] === TokenType.normal);
  const words = pieces.map((p) => p.replaceAll(SPACE, ' '));
  const extra = [' ', '  ', '\n', 'é', '日本', '🙂', '\u{1F680}x', 'c'];
  return fc.array(fc.constantFrom(...words, ...extra), { maxLength: 60 }).map((parts) => parts.join(''));
}

const bpeSpec: TokenizerSpec = (() => {
  const corpus =
    'Once upon a time, a girl said "I\'m wet!"  In 2024: 1234567 stars. Ünïcödé café 日本語 🙂\n\tTabs';
  const { tokens, merges } = trainByteLevelBpe(corpus, 150, 'llama3');
  return { model: 'gpt2', tokens, merges, pre: 'llama3' };
})();

/** The loop with a stretch of `stretch` code units between pauses, run to its end. */
function encodeInStretches(spec: TokenizerSpec, text: string, stretch: number): number[] {
  const vocab = new Vocab(spec);
  const encoder =
    spec.model === 'llama'
      ? new SpmEncoder(vocab, spec.scores)
      : new BpeEncoder(vocab, spec.merges, spec.pre);
  return runNow(encodeSteps(vocab, encoder, text, {}, stretch));
}

describe('long texts: words, stretches and early stop never change the ids', () => {
  const stories = ggufSpec();
  const randomText = fc.oneof(fc.string({ unit: 'binary' }), textOf(stories), textOf(joiningSpec));

  test.each([
    ['stories260K', stories],
    ['a vocabulary whose pieces join across spaces', joiningSpec],
  ])('SentencePiece word by word gives what merging the whole fragment gives: %s', (_name, spec) => {
    const t = new Tokenizer(spec);
    fc.assert(
      fc.property(fc.oneof(textOf(spec), fc.string({ unit: 'binary' })), (text) => {
        expect(t.encode(text, { addSpecialTokens: false })).toEqual(
          text === '' ? [] : wholeFragmentSpm(spec, text),
        );
      }),
      { numRuns: 400 },
    );
  });

  test.each([
    ['SentencePiece', stories],
    ['SentencePiece, joining spaces', joiningSpec],
    ['byte-level BPE', bpeSpec],
  ])('%s: any stretch between pauses gives the ids of one pass', (_name, spec) => {
    const t = new Tokenizer(spec);
    fc.assert(
      fc.property(randomText, fc.integer({ min: 1, max: 40 }), (text, stretch) => {
        expect(encodeInStretches(spec, text, stretch)).toEqual(t.encode(text));
      }),
      { numRuns: 300 },
    );
  });

  test.each([
    ['SentencePiece', stories],
    ['byte-level BPE', bpeSpec],
  ])('%s: maxTokens stops after maxTokens + 1 ids, the first ones', (_name, spec) => {
    const t = new Tokenizer(spec);
    fc.assert(
      fc.property(randomText, fc.nat(80), (text, maxTokens) => {
        const all = t.encode(text);
        const cut = t.encode(text, { maxTokens });
        expect(cut).toEqual(all.length > maxTokens ? all.slice(0, maxTokens + 1) : all);
      }),
      { numRuns: 300 },
    );
  });

  test('words longer than the cached ones are merged in steps to the same pieces', () => {
    const t = new Tokenizer(joiningSpec);
    const long = fc.string({ unit: fc.constantFrom('a', 'b', ' ', 'é'), minLength: 65, maxLength: 400 });
    fc.assert(
      fc.property(long, (text) => {
        expect(t.encode(text, { addSpecialTokens: false })).toEqual(wholeFragmentSpm(joiningSpec, text));
      }),
      { numRuns: 100 },
    );
    const merges = ['a a', 'aa aa', 'a b'];
    const tokens = [...BYTE_TO_CHAR, 'aa', 'aaaa', 'ab'];
    const bpe = new Tokenizer({ model: 'gpt2', tokens, merges, pre: 'gpt2' });
    const ranks = new Map(merges.map((m, rank) => [m, rank]));
    const word = fc.string({ unit: fc.constantFrom('a', 'b'), minLength: 65, maxLength: 400 });
    fc.assert(
      fc.property(word, (text) => {
        expect(bpe.encode(text)).toEqual(naiveBpe(text, ranks).map((p) => tokens.indexOf(p)));
      }),
      { numRuns: 100 },
    );
  });

  test('encodeAsync lets other callbacks run while it merges one word 300 kB long', async () => {
    const t = new Tokenizer(joiningSpec);
    const text = 'a'.repeat(300_000);
    let turns = 0;
    const timer = setInterval(() => turns++, 1);
    const ids = await t.encodeAsync(text);
    clearInterval(timer);
    expect(ids).toEqual(t.encode(text));
    // Merging it in one go holds the loop ~0.5 s: the timer would not run once.
    expect(turns).toBeGreaterThan(0);
  });

  test('a megabyte text stops early: only the ids wanted are made', () => {
    const t = new Tokenizer(stories);
    const text = 'Once upon a time, there was a little girl named Lily. '.repeat(20_000);
    const ids = t.encode(text, { maxTokens: 512 });
    expect(ids).toHaveLength(513);
    expect(ids).toEqual(t.encode(text.slice(0, 5000)).slice(0, 513));
  });

  test('encodeAsync lets other callbacks run while it works through a long text', async () => {
    const t = new Tokenizer(stories);
    const text = 'Once upon a time, there was a little girl named Lily. '.repeat(40_000);
    let turns = 0;
    const timer = setInterval(() => turns++, 1);
    const ids = await t.encodeAsync(text);
    clearInterval(timer);
    expect(ids.length).toBeGreaterThan(500_000);
    // encode would hold the loop throughout (~100 ms or more): the timer would not run once.
    expect(turns).toBeGreaterThan(0);
  });

  test('encodeAsync gives the ids of encode', async () => {
    const t = new Tokenizer(stories);
    const text = 'Ünïcödé ☃ 日本 € and a story.\n'.repeat(5000);
    expect(await t.encodeAsync(text)).toEqual(t.encode(text));
    expect(await t.encodeAsync(text, { maxTokens: 100 })).toEqual(t.encode(text).slice(0, 101));
  });
});
