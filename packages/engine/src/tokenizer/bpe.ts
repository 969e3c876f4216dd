/**
 * Byte-level BPE encoding (llama.cpp's `llm_tokenizer_bpe`, HF `tokenizers` BPE): pre-tokenize into
 * words, spell each word's bytes in the GPT-2 alphabet, then apply ranked merges, lowest rank first
 * and leftmost on ties.
 * @module
 */
import { toByteLevel } from './byte-level.js';
import { MERGE_STRIDE, mergeSteps, runNow } from './merge.js';
import { preTokenizerRegex } from './pre-tokenizer.js';
import type { Vocab } from './vocab.js';
import { LONG_WORD, pushWord, type WordCache, type WordEncoder } from './words.js';

/** Pre-tokenizers whose words that are already whole pieces skip merging (HF `ignore_merges`). */
const IGNORE_MERGES = new Set(['llama3', 'llama-bpe', 'llama-v3']);

/** Encodes raw fragments with one vocabulary's merge ranks and pre-tokenizer. */
export class BpeEncoder implements WordEncoder {
  private readonly vocab: Vocab;
  /** `"left right"` to rank. */
  private readonly ranks = new Map<string, number>();
  private readonly regex: RegExp;
  private readonly ignoreMerges: boolean;

  constructor(vocab: Vocab, merges: string[] | undefined, pre: string | undefined) {
    if (merges === undefined) throw new Error('tokenizer spec: merges are required for model gpt2');
    merges.forEach((merge, rank) => {
      if (merge.indexOf(' ', 1) < 0) {
        throw new Error(`tokenizer spec: merges[${rank}] ${JSON.stringify(merge)} is not "left right"`);
      }
      if (!this.ranks.has(merge)) this.ranks.set(merge, rank);
    });
    this.vocab = vocab;
    this.regex = preTokenizerRegex(pre);
    this.ignoreMerges = IGNORE_MERGES.has(pre ?? '');
  }

  /** Byte-level BPE has no dummy prefix: the fragment is read as is. */
  prepare(fragment: string): string {
    return fragment;
  }

  /**
   * Words are the pre-tokenizer regex's matches, found one after another from `from`. Short words
   * come from the cache or are merged at once; a long one is merged in steps.
   */
  *encodeWords(
    text: string,
    from: number,
    until: number,
    out: number[],
    cache: WordCache,
  ): Generator<void, number, void> {
    const regex = this.regex;
    let at = from;
    while (at < until) {
      // Set on every match: another call may have used the shared regex while this one paused.
      regex.lastIndex = at;
      const match = regex.exec(text);
      if (match === null) return text.length;
      const word = match[0];
      at = regex.lastIndex;
      if (word.length > LONG_WORD) yield* this.wordSteps(word, out);
      else pushWord(word, out, cache, this.encodeWord);
    }
    return at;
  }

  /** Merges one short word. */
  private readonly encodeWord = (word: string, out: number[]): void => runNow(this.wordSteps(word, out));

  /** Merges one word, spelt in the byte-level alphabet (one character per byte). */
  private *wordSteps(raw: string, out: number[]): Generator<void, void, void> {
    const word = toByteLevel(raw);
    const whole = this.ignoreMerges ? this.vocab.pieceId(word) : undefined;
    if (whole !== undefined) {
      out.push(whole);
      return;
    }
    const pieces = yield* mergeSteps(word, (left, right) => this.ranks.get(`${left} ${right}`));
    for (const [i, piece] of pieces.entries()) {
      this.pushPiece(piece, out);
      if (i % MERGE_STRIDE === MERGE_STRIDE - 1) yield;
    }
  }

  /** A merged piece missing from the vocabulary falls back to its single-byte pieces, as llama.cpp does. */
  private pushPiece(piece: string, out: number[]): void {
    const id = this.vocab.pieceId(piece);
    if (id !== undefined) {
      out.push(id);
      return;
    }
    for (const char of piece) {
      const byteId = this.vocab.pieceId(char) ?? this.vocab.unkId;
      if (byteId === undefined) {
        throw new Error(`tokenizer: byte piece ${JSON.stringify(char)} is not in the vocabulary`);
      }
      out.push(byteId);
    }
  }
}
