/**
 * SentencePiece-style encoding (llama.cpp's `llm_tokenizer_spm`): start from single characters and
 * repeatedly merge the adjacent pair whose concatenation is the highest-scoring piece (ties go to the
 * leftmost pair); characters left outside the vocabulary fall back to `<0xXX>` byte tokens.
 *
 * llama.cpp merges a whole fragment at once. Here the text is first cut between every two characters
 * that appear next to each other in no piece: no merge can ever join across such a cut, so merging the
 * words between cuts one by one gives the same pieces, and repeated words come from a cache.
 * @module
 */
import { MERGE_STRIDE, mergeSteps, runNow } from './merge.js';
import type { Vocab } from './vocab.js';
import { LONG_WORD, pushWord, type WordCache, type WordEncoder } from './words.js';

/** The SentencePiece stand-in for a space, U+2581. */
export const SPACE_MARK = '\u2581';
const SPACE_CODE = 0x2581;

const utf8 = new TextEncoder();

/** Encodes raw fragments with one vocabulary's scores and byte-fallback table. */
export class SpmEncoder implements WordEncoder {
  private readonly vocab: Vocab;
  private readonly scores: Float32Array;
  /** Byte value to its `<0xXX>` token id, -1 where the vocabulary has none. */
  private readonly byteIds: Int32Array;
  /** Code point to the code points that follow it somewhere inside a piece text may merge into. */
  private readonly followers = new Map<number, Set<number>>();

  constructor(vocab: Vocab, scores: Float32Array | number[] | undefined) {
    if (scores === undefined) throw new Error('tokenizer spec: scores are required for model llama');
    if (scores.length !== vocab.size) {
      throw new Error(`tokenizer spec: scores has ${scores.length} entries for ${vocab.size} tokens`);
    }
    this.vocab = vocab;
    this.scores = Float32Array.from(scores);
    this.byteIds = new Int32Array(256);
    for (let byte = 0; byte < 256; byte++) {
      this.byteIds[byte] = vocab.idOf(`<0x${byte.toString(16).toUpperCase().padStart(2, '0')}>`) ?? -1;
    }
    for (const token of vocab.tokens) if (vocab.pieceId(token) !== undefined) this.addFollowers(token);
  }

  /** The fragment after the dummy-prefix space when it begins the text or follows a special token. */
  prepare(fragment: string, atStart: boolean): string {
    return atStart && this.vocab.addSpacePrefix ? ` ${fragment}` : fragment;
  }

  /**
   * Words end where the next character never follows the one before it inside a piece. Spaces are
   * read as `▁` here and replaced word by word: replacing them in a whole long text at once would
   * itself hold the event loop (~150 ms for 4 MB). Short words come from the cache or are merged
   * at once; a long one is merged in steps.
   */
  *encodeWords(
    text: string,
    from: number,
    until: number,
    out: number[],
    cache: WordCache,
  ): Generator<void, number, void> {
    let start = from;
    let follows: Set<number> | undefined;
    let scanned = 0;
    for (let at = from; ;) {
      const code = text.codePointAt(at);
      const char = code === 0x20 ? SPACE_CODE : code;
      if (at > start && (char === undefined || follows?.has(char) !== true)) {
        const word = text.slice(start, at);
        if (word.length > LONG_WORD) yield* this.wordSteps(word, out);
        else pushWord(word, out, cache, this.encodeWord);
        start = at;
        if (at >= until) return at;
      }
      if (char === undefined) return at;
      // A word megabytes long takes a while to scan, too.
      if (++scanned % MERGE_STRIDE === 0) yield;
      follows = this.followers.get(char);
      at += char > 0xffff ? 2 : 1;
    }
  }

  private addFollowers(piece: string): void {
    let before: number | undefined;
    for (const char of piece) {
      const code = char.codePointAt(0) as number;
      if (before !== undefined) {
        const set = this.followers.get(before) ?? new Set<number>();
        this.followers.set(before, set.add(code));
      }
      before = code;
    }
  }

  /** Merges one short word. */
  private readonly encodeWord = (word: string, out: number[]): void => runNow(this.wordSteps(word, out));

  /** Merges one word (spaces still as spaces), as llama.cpp merges a whole fragment. */
  private *wordSteps(word: string, out: number[]): Generator<void, void, void> {
    const pieces = yield* mergeSteps(word.replaceAll(' ', SPACE_MARK), (left, right) => {
      const id = this.vocab.pieceId(left + right);
      return id === undefined ? undefined : -(this.scores[id] as number);
    });
    for (const [i, piece] of pieces.entries()) {
      const id = this.vocab.pieceId(piece);
      if (id !== undefined) out.push(id);
      else this.pushBytes(piece, out);
      if (i % MERGE_STRIDE === MERGE_STRIDE - 1) yield;
    }
  }

  /** Byte fallback; a vocabulary without byte tokens gets one UNK for the piece, as SentencePiece does. */
  private pushBytes(piece: string, out: number[]): void {
    const ids = Array.from(utf8.encode(piece), (byte) => this.byteIds[byte] as number);
    if (ids.every((id) => id >= 0)) out.push(...ids);
    else if (this.vocab.unkId !== undefined) out.push(this.vocab.unkId);
    else
      throw new Error(
        `tokenizer: ${JSON.stringify(piece)} is not in the vocabulary, which has no byte tokens nor unkId`,
      );
  }
}
