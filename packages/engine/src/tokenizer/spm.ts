/**
 * SentencePiece-style encoding (llama.cpp's `llm_tokenizer_spm`): start from single characters and
 * repeatedly merge the adjacent pair whose concatenation is the highest-scoring piece (ties go to the
 * leftmost pair); characters left outside the vocabulary fall back to `<0xXX>` byte tokens.
 * @module
 */
import { mergePieces } from './merge.js';
import type { Vocab } from './vocab.js';

/** The SentencePiece stand-in for a space, U+2581. */
export const SPACE_MARK = '\u2581';

const utf8 = new TextEncoder();

/** Encodes raw fragments with one vocabulary's scores and byte-fallback table. */
export class SpmEncoder {
  private readonly vocab: Vocab;
  private readonly scores: Float32Array;
  /** Byte value to its `<0xXX>` token id, -1 where the vocabulary has none. */
  private readonly byteIds: Int32Array;

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
  }

  /**
   * Appends the ids of one raw text fragment. `atStart` says whether the fragment begins the text or
   * follows a special token: then the dummy-prefix space is added when the vocabulary asks for it.
   */
  encode(fragment: string, atStart: boolean, out: number[]): void {
    const prefix = atStart && this.vocab.addSpacePrefix ? ' ' : '';
    const text = (prefix + fragment).replaceAll(' ', SPACE_MARK);
    const starts: number[] = [];
    for (let i = 0; i < text.length; i += (text.codePointAt(i) as number) > 0xffff ? 2 : 1) starts.push(i);
    const pieces = mergePieces(text, starts, (left, right) => {
      const id = this.vocab.pieceId(left + right);
      return id === undefined ? undefined : -(this.scores[id] as number);
    });
    for (const piece of pieces) {
      const id = this.vocab.pieceId(piece);
      if (id !== undefined) out.push(id);
      else this.pushBytes(piece, out);
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
