/**
 * Reads llama2.c's `tokenizer.bin` into a {@link TokenizerSpec} that behaves exactly like the GGUF
 * tokenizer of the same model (run.c's encode is SentencePiece with the dummy prefix and byte
 * fallback).
 * @module
 */
import { SPACE_MARK } from './spm.js';
import { TokenType, type TokenizerSpec } from './spec.js';

/** run.c's fixed special ids; BOS and EOS are stored as `"\n<s>\n"` and `"\n</s>\n"`. */
const UNK_ID = 0;
const BOS_ID = 1;
const EOS_ID = 2;

const BYTE_PIECE = /^<0x[0-9A-F]{2}>$/;

/**
 * Parses a llama2.c tokenizer file: int32 max_token_length, then per token float32 score, int32
 * byte length and the UTF-8 bytes, all little-endian, up to the end of the file (run.c takes the
 * count from the checkpoint; pass it as `vocabSize` to check it). `name` labels errors.
 */
export function tokenizerSpecFromLlama2c(
  bytes: Uint8Array,
  name = 'tokenizer.bin',
  vocabSize?: number,
): TokenizerSpec {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  if (bytes.byteLength < 4)
    throw new Error(`${name}: too short for a llama2.c tokenizer (${bytes.byteLength} bytes)`);
  const maxLength = view.getInt32(0, true);
  const tokens: string[] = [];
  const scores: number[] = [];
  const tokenTypes: number[] = [];
  let offset = 4;
  while (offset < bytes.byteLength) {
    const id = tokens.length;
    if (offset + 8 > bytes.byteLength)
      throw new Error(`${name}: token ${id} header is cut off at byte ${offset}`);
    const score = view.getFloat32(offset, true);
    const length = view.getInt32(offset + 4, true);
    offset += 8;
    if (length < 0 || length > maxLength || offset + length > bytes.byteLength) {
      throw new Error(
        `${name}: token ${id} length ${length} is invalid (max_token_length ${maxLength}, ${bytes.byteLength - offset} bytes left)`,
      );
    }
    let text: string;
    try {
      text = decoder.decode(bytes.subarray(offset, offset + length));
    } catch {
      throw new Error(`${name}: token ${id} is not valid UTF-8`);
    }
    offset += length;
    const special = id === BOS_ID || id === EOS_ID;
    tokens.push(special ? text.replace(/^\n|\n$/g, '') : text.replaceAll(' ', SPACE_MARK));
    scores.push(score);
    tokenTypes.push(
      id === UNK_ID
        ? TokenType.unknown
        : special
          ? TokenType.control
          : BYTE_PIECE.test(text)
            ? TokenType.byte
            : TokenType.normal,
    );
  }
  if (vocabSize !== undefined && tokens.length !== vocabSize) {
    throw new Error(`${name}: has ${tokens.length} tokens, expected vocab_size ${vocabSize}`);
  }
  if (tokens.length <= EOS_ID)
    throw new Error(`${name}: has ${tokens.length} tokens, too few for <unk>, <s>, </s>`);
  return {
    model: 'llama',
    tokens,
    scores,
    tokenTypes,
    bosId: BOS_ID,
    eosId: EOS_ID,
    unkId: UNK_ID,
    addBosToken: true,
    addEosToken: false,
    addSpacePrefix: true,
  };
}
