/**
 * What the encode loop needs from a tokenizer model: text cut into words that merges never cross,
 * encoded a stretch at a time so that a long text can stop early or pause, and a per-call cache of
 * the ids of words already seen (text repeats its words, so most words are looked up, not merged).
 * @module
 */

/** Word to its ids, for one encode call (kept per call so that no request's text outlives it). */
export type WordCache = Map<string, readonly number[]>;

/**
 * Words longer than this (UTF-16 code units) are neither cached (they are rare, and would make the
 * cache large) nor merged in one go: a single word may be megabytes long, and is merged in steps.
 */
export const LONG_WORD = 64;
/** The cache starts over when it holds this many words, bounding its memory on text that never repeats. */
const CACHED_WORDS = 1 << 16;

/** One tokenizer model's side of the encode loop. */
export interface WordEncoder {
  /** The text whose words {@link WordEncoder.encodeWords} reads, for a raw fragment of input. */
  prepare(fragment: string, atStart: boolean): string;
  /**
   * Appends the ids of the words of `text` from offset `from` (0 or an offset it returned) until
   * the first word that starts at or after `until`, and returns that word's offset, or `text.length`
   * when done. Stretches encoded one after another give the ids of the whole text. It pauses every
   * few thousand steps inside a long word; where it pauses never changes the ids.
   */
  encodeWords(
    text: string,
    from: number,
    until: number,
    out: number[],
    cache: WordCache,
  ): Generator<void, number, void>;
}

/** Appends the ids of a word of at most {@link LONG_WORD} code units, from the cache or through `encode` (then cached). */
export function pushWord(
  word: string,
  out: number[],
  cache: WordCache,
  encode: (word: string, out: number[]) => void,
): void {
  const known = cache.get(word);
  if (known !== undefined) {
    for (const id of known) out.push(id);
    return;
  }
  const start = out.length;
  encode(word, out);
  if (cache.size >= CACHED_WORDS) cache.clear();
  cache.set(word, out.slice(start));
}
