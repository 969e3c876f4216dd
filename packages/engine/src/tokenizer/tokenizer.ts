/**
 * The tokenizer: text to ids and back for both GGUF tokenizer models, with BOS/EOS, special-token
 * parsing and SentencePiece's dummy-prefix space handled the way llama.cpp does.
 * @module
 */
import { BpeEncoder } from './bpe.js';
import { fromByteLevel } from './byte-level.js';
import { encodeAsync, encodeSteps, type EncodeOptions } from './encode-loop.js';
import { runNow } from './merge.js';
import { SPACE_MARK, SpmEncoder } from './spm.js';
import { TokenType, type TokenizerSpec } from './spec.js';
import { Vocab } from './vocab.js';
import type { WordEncoder } from './words.js';

export type { EncodeOptions } from './encode-loop.js';

/** How {@link Tokenizer.decode} and the streaming detokenizer turn ids into text. */
export interface DecodeOptions {
  /** Leave out control and unknown tokens (`<s>`, `</s>`, `<unk>`); default true, as vLLM. */
  skipSpecialTokens?: boolean;
  /**
   * The first id begins a text, so its dummy-prefix space is dropped. Default false: the space is
   * dropped only after special tokens (such as a leading BOS), where encoding added it, so decoding a
   * continuation (generated ids alone) keeps its leading space, as llama2.c's run.c prints it.
   */
  textStart?: boolean;
}

/** Maps one id at a time to its bytes, carrying the dummy-prefix state from one id to the next. */
export type ByteStream = (id: number) => Uint8Array;

const utf8 = new TextEncoder();
const EMPTY = new Uint8Array(0);
const BYTE_PIECE = /^<0x([0-9A-Fa-f]{2})>$/;

/** Concatenates byte chunks. */
function concatBytes(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/** A tokenizer built from a {@link TokenizerSpec}; immutable, so one instance serves all requests. */
export class Tokenizer {
  /** The spec it was built from (e.g. for its chat template). */
  readonly spec: TokenizerSpec;
  private readonly vocab: Vocab;
  private readonly encoder: WordEncoder;
  /** Lazily built bytes of each token, before skipping and dummy-prefix stripping. */
  private readonly pieces: (Uint8Array | undefined)[] = [];

  constructor(spec: TokenizerSpec) {
    this.spec = spec;
    this.vocab = new Vocab(spec);
    if (spec.model === 'llama') this.encoder = new SpmEncoder(this.vocab, spec.scores);
    else if (spec.model === 'gpt2') this.encoder = new BpeEncoder(this.vocab, spec.merges, spec.pre);
    else {
      throw new Error(
        `tokenizer spec: unsupported model ${JSON.stringify(spec.model)} (expected llama or gpt2)`,
      );
    }
  }

  /** Number of tokens in the vocabulary. */
  get vocabSize(): number {
    return this.vocab.size;
  }
  /** Beginning-of-sequence id (llama.cpp's default 1 for `llama` when the spec has none). */
  get bosId(): number | undefined {
    return this.vocab.bosId;
  }
  /** End-of-sequence id (default 2 for `llama`). */
  get eosId(): number | undefined {
    return this.vocab.eosId;
  }
  /**
   * Every id that ends a generation: EOS, the file's end-of-turn/-message ids and special tokens
   * spelled as a known end-of-turn marker (`<|eot_id|>`, `<|im_end|>`…), as llama.cpp does.
   */
  get endOfGenerationIds(): readonly number[] {
    return this.vocab.endOfGenerationIds;
  }
  /** Padding id, if the model has one. */
  get padId(): number | undefined {
    return this.vocab.padId;
  }

  /** The vocabulary's text for an id (`▁Once`, `<0x0A>`, `<s>`), e.g. for chat templates' bos_token. */
  tokenText(id: number): string {
    return this.vocab.tokens[this.checkId(id)] as string;
  }

  /** The {@link TokenType} of an id. */
  tokenType(id: number): number {
    return this.vocab.types[this.checkId(id)] as number;
  }

  /** The id of a token written exactly as in the vocabulary, or undefined. */
  tokenId(text: string): number | undefined {
    return this.vocab.idOf(text);
  }

  /** Encodes text to ids: special-token split, then the model on each raw fragment, BOS/EOS around. */
  encode(text: string, options: EncodeOptions = {}): number[] {
    return runNow(encodeSteps(this.vocab, this.encoder, text, options));
  }

  /**
   * {@link Tokenizer.encode} for long texts on a server: the same ids, but the work is cut into
   * slices of a few milliseconds with other callbacks run between them, so that a multi-megabyte
   * text does not stall every other request.
   */
  encodeAsync(text: string, options: EncodeOptions = {}): Promise<number[]> {
    return encodeAsync(encodeSteps(this.vocab, this.encoder, text, options));
  }

  /** Decodes ids to text; invalid UTF-8 from byte tokens becomes U+FFFD. */
  decode(ids: readonly number[], options: DecodeOptions = {}): string {
    const next = this.byteStream(options);
    return new TextDecoder('utf-8', { ignoreBOM: true }).decode(concatBytes(ids.map(next)));
  }

  /**
   * A stateful id-to-bytes mapper: concatenating its outputs for a sequence gives the bytes
   * {@link Tokenizer.decode} decodes. The streaming detokenizer is built on it.
   */
  byteStream(options: DecodeOptions = {}): ByteStream {
    const { skipSpecialTokens = true, textStart = false } = options;
    const { addSpacePrefix } = this.vocab;
    let strip = textStart && addSpacePrefix;
    return (id) => {
      const bytes = this.pieceBytes(this.checkId(id));
      const type = this.vocab.types[id];
      if (this.vocab.isSpecial(id)) {
        strip = addSpacePrefix;
        const skip = skipSpecialTokens && (type === TokenType.control || type === TokenType.unknown);
        return skip ? EMPTY : bytes;
      }
      const stripHere = strip && type === TokenType.normal && bytes[0] === 0x20;
      strip = false;
      return stripHere ? bytes.subarray(1) : bytes;
    };
  }

  private checkId(id: number): number {
    if (!Number.isInteger(id) || id < 0 || id >= this.vocab.size) {
      throw new Error(`tokenizer: token id ${id} is outside the vocabulary of ${this.vocab.size} tokens`);
    }
    return id;
  }

  private pieceBytes(id: number): Uint8Array {
    let bytes = this.pieces[id];
    if (bytes === undefined) {
      bytes = this.buildPiece(id);
      this.pieces[id] = bytes;
    }
    return bytes;
  }

  /** What a token stands for: SentencePiece text with `▁` as space, byte tokens, or byte-level BPE bytes. */
  private buildPiece(id: number): Uint8Array {
    const text = this.vocab.tokens[id] as string;
    const type = this.vocab.types[id];
    if (type === TokenType.unused) return EMPTY;
    if (type === TokenType.control || type === TokenType.unknown) return utf8.encode(text);
    if (this.vocab.model === 'gpt2')
      return type === TokenType.userDefined ? utf8.encode(text) : fromByteLevel(text);
    const byte = type === TokenType.byte ? BYTE_PIECE.exec(text) : null;
    if (byte) return Uint8Array.of(parseInt(byte[1] as string, 16));
    return utf8.encode(text.replaceAll(SPACE_MARK, ' '));
  }
}
