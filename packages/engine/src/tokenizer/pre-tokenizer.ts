/**
 * Pre-tokenizer regexes of byte-level BPE models (`tokenizer.ggml.pre`): they cut text into words
 * before merging, so merges never cross a word, number group or whitespace run.
 * @module
 */

/**
 * Unicode White_Space, what `\s` means in the Rust and Oniguruma regexes the models were trained
 * with (JavaScript's `\s` also takes U+FEFF and leaves out U+0085).
 */
const WS = '\\t\\n\\v\\f\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';

/** Contractions, case-insensitive as `(?i:...)` in the originals (spelt out: Node 22 lacks modifiers). */
const CONTRACTIONS = "'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD]";

/** Llama 3 / Qwen 2 pattern; they differ only in how many digits one number group takes. */
const llamaStyle = (digits: string): string =>
  `${CONTRACTIONS}|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}${digits}| ?[^${WS}\\p{L}\\p{N}]+[\\r\\n]*` +
  `|[${WS}]*[\\r\\n]+|[${WS}]+(?![^${WS}])|[${WS}]+`;

const GPT2 = `'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^${WS}\\p{L}\\p{N}]+|[${WS}]+(?![^${WS}])|[${WS}]+`;

const PATTERNS: Record<string, string> = {
  llama3: llamaStyle('{1,3}'),
  'llama-bpe': llamaStyle('{1,3}'),
  'llama-v3': llamaStyle('{1,3}'),
  qwen2: llamaStyle(''),
  'deepseek-r1-qwen': llamaStyle(''),
  default: GPT2,
  gpt2: GPT2,
  'gpt-2': GPT2,
};

/** The `tokenizer.ggml.pre` names this tokenizer knows. */
export const PRE_TOKENIZERS: readonly string[] = Object.keys(PATTERNS);

/** Compiles the word-splitting regex for a pre-tokenizer name (absent means `default`). */
export function preTokenizerRegex(pre = 'default'): RegExp {
  const source = PATTERNS[pre];
  if (source === undefined) {
    throw new Error(
      `tokenizer: unsupported tokenizer.ggml.pre '${pre}' (expected one of ${PRE_TOKENIZERS.join(', ')})`,
    );
  }
  return new RegExp(source, 'gu');
}

/** Splits text into pre-tokenizer words. The alternatives cover every character, so joining them gives text back. */
export function preTokenize(text: string, regex: RegExp): string[] {
  return Array.from(text.matchAll(regex), (m) => m[0]);
}
