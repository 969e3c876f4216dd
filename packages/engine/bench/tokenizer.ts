/**
 * The tokenizer rows: MB/s of `Tokenizer.encode` on a multi-MB varied text for
 * each tokenizer model the engine has, as a ratio to a same-run baseline (a
 * pass of the llama3 pre-tokenizer regex over the same text; a plain UTF-8
 * encode is shown too). SentencePiece is stories260K's own tokenizer;
 * byte-level BPE gets a vocabulary built from the text's frequent words.
 * @module
 */
import { openGguf, Tokenizer, tokenizerSpecFromMetadata, type TokenizerSpec } from '../dist/index.js';
import { BYTE_TO_CHAR } from '../dist/tokenizer/byte-level.js';
import { preTokenizerRegex } from '../dist/tokenizer/pre-tokenizer.js';

/** The table's head. */
export const TOKENIZER_HEAD = [
  'tokenizer',
  'text MB',
  'tokens',
  'encode MB/s',
  'regex split MB/s',
  'UTF-8 encode MB/s',
  'encode / regex split',
];

/** One row per tokenizer model: SentencePiece (from `ggufPath`) and byte-level BPE. */
export function benchTokenizers(ggufPath: string, megabytes: number, reps: number): string[][] {
  const text = variedText(megabytes * 2 ** 20);
  const mb = Buffer.byteLength(text) / 1e6;
  const split = preTokenizerRegex('llama3');
  const utf8 = new TextEncoder();
  const rows: [string, Tokenizer][] = [
    ['SentencePiece (stories260K, 512)', new Tokenizer(ggufSpec(ggufPath))],
    ['byte-level BPE (llama3 pre, 4k words)', new Tokenizer(byteLevelSpec(text, 4000))],
  ];
  return rows.map(([name, tokenizer]) => {
    let tokens = 0;
    const encode = bestMs(reps, () => (tokens = tokenizer.encode(text).length));
    const regex = bestMs(reps, () => [...text.matchAll(split)].length);
    const bytes = bestMs(reps, () => utf8.encode(text).length);
    const rate = (ms: number) => mb / (ms / 1000);
    return [
      name,
      mb.toFixed(1),
      String(tokens),
      rate(encode).toFixed(1),
      rate(regex).toFixed(1),
      rate(bytes).toFixed(0),
      (regex / encode).toFixed(2),
    ];
  });
}

/** Fastest of `reps` timed runs (after one warm-up), in ms. */
function bestMs(reps: number, run: () => unknown): number {
  run();
  let best = Infinity;
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    run();
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

function ggufSpec(path: string): TokenizerSpec {
  const file = openGguf(path);
  file.close();
  return tokenizerSpecFromMetadata((key) => file.metadata.get(key));
}

/**
 * A byte-level BPE vocabulary whose merges spell, left to right, the `count`
 * most frequent words of `text` (with their leading space), over the 256 byte
 * pieces.
 */
function byteLevelSpec(text: string, count: number): TokenizerSpec {
  const frequency = new Map<string, number>();
  for (const [word] of text.matchAll(/ ?[\p{L}\p{N}']+/gu))
    frequency.set(word, (frequency.get(word) ?? 0) + 1);
  const words = [...frequency].sort((a, b) => b[1] - a[1]).slice(0, count);
  const tokens = [...BYTE_TO_CHAR];
  const known = new Set(tokens);
  const merges: string[] = [];
  for (const [word] of words) {
    const chars = Array.from(Buffer.from(word, 'utf8'), (byte) => BYTE_TO_CHAR[byte]!);
    let piece = chars[0]!;
    for (const char of chars.slice(1)) {
      if (!known.has(piece + char)) {
        merges.push(`${piece} ${char}`);
        tokens.push(piece + char);
        known.add(piece + char);
      }
      piece += char;
    }
  }
  return { model: 'gpt2', tokens, merges, pre: 'llama3' };
}

/**
 * About `bytes` of seeded text: stories of words drawn Zipf-like from a
 * 20k-word made-up lexicon, with numbers, punctuation, accented, Cyrillic,
 * CJK and emoji words, and indented code lines.
 */
export function variedText(bytes: number): string {
  let seed = 42;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const syllables = ['ka', 'lo', 'mi', 'ther', 'an', 'st', 'ro', 'in', 'ble', 'qu', 'e', 'ou', 'tion', 'pr'];
  const lexicon = Array.from({ length: 20_000 }, () =>
    Array.from({ length: 1 + Math.floor(random() * 4) }, () => pick(syllables)).join(''),
  );
  const foreign = [
    'café',
    'naïve',
    'Ünïcödé',
    'привет',
    'мир',
    '日本語の',
    'テキスト',
    '中文',
    '🙂',
    '🚀',
    'ßtraße',
  ];
  const code = ['    if (x > 0) {', '\treturn f(x) * 2;', '  }', 'const a = [1, 2, 3];', '// TODO: fix'];
  const parts: string[] = [];
  let size = 0;
  while (size < bytes) {
    const line: string[] = [];
    for (let i = 0, n = 5 + Math.floor(random() * 20); i < n; i++) {
      const r = random();
      if (r < 0.04) line.push(String(Math.floor(random() * 100_000)));
      else if (r < 0.07) line.push(pick(foreign));
      else line.push(lexicon[Math.floor(lexicon.length * random() ** 3)]!);
    }
    let sentence = line.join(' ');
    sentence = sentence[0]!.toUpperCase() + sentence.slice(1) + pick(['.', '.', '!', '?', ',', ';', "'s"]);
    const part = random() < 0.05 ? `${sentence}\n${pick(code)}\n` : `${sentence} `;
    parts.push(part);
    size += Buffer.byteLength(part);
  }
  return parts.join('');
}
