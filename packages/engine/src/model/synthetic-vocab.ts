/**
 * A small SentencePiece-style (llama.cpp `llama` model) vocabulary for
 * synthetic models: specials, 256 byte-fallback tokens, printable ASCII, then
 * frequent English words with `▁` for the space before them.
 * @module
 */

import { TokenType } from '../tokenizer/index.js';

/** A vocabulary as GGUF stores it: parallel arrays indexed by token id. */
export interface SyntheticVocab {
  readonly tokens: readonly string[];
  readonly scores: readonly number[];
  readonly types: readonly number[];
}

/** Ids of the special tokens every synthetic vocabulary starts with. */
export const SYNTHETIC_SPECIAL_IDS = { unk: 0, bos: 1, eos: 2 } as const;

const SPACE = '\u2581';

// Frequent words, most frequent first (a TinyStories flavour); capitalised forms start sentences.
const WORDS = (
  'the and a to was he she it they of in his her said day one with you I on that for had big so were ' +
  'The Once upon time there little He She They It Lily Tom mom play happy saw very went not be but is ' +
  'wanted friends all do up out what can could see at have like would we went help Ben toy dog cat ' +
  'tree ball fun are did when me my then this from will go came back too good as get them their ' +
  'park bird sun home house fish look made love each other new car red blue run jump find found ' +
  'sad smiled away again thank friend asked because loved decided something felt there very more ' +
  'sky water food box boy girl man woman nice thing no yes now how why who where about after before ' +
  'into over your our an or if just know want make take give think say tell know way long old small ' +
  'Sue Max Sara Tim Anna Mia Sam Jack Lucy Amy'
).split(' ');

/**
 * Builds a vocabulary of exactly `size` tokens: `<unk>`, `<s>`, `</s>`, the
 * byte tokens `<0x00>`…`<0xFF>`, `▁` and every printable ASCII character,
 * then `▁word` pieces with all their prefixes (so SentencePiece's merges can
 * reach each one), and `<unused_N>` padding if words run out. Scores fall with
 * the rank, as in a trained SentencePiece model. Throws when `size` cannot
 * hold the specials, bytes and characters.
 */
export function buildSyntheticVocab(size: number): SyntheticVocab {
  const tokens: string[] = ['<unk>', '<s>', '</s>'];
  const types: number[] = [TokenType.unknown, TokenType.control, TokenType.control];
  for (let b = 0; b < 256; b++) {
    tokens.push(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
    types.push(TokenType.byte);
  }
  const pieces = [SPACE];
  for (let c = 0x21; c < 0x7f; c++) pieces.push(String.fromCharCode(c));
  const minimum = tokens.length + pieces.length;
  if (size < minimum) throw new Error(`synthetic vocabulary needs at least ${minimum} tokens, got ${size}`);
  const seen = new Set(pieces);
  for (const word of WORDS)
    for (let end = 2; end <= word.length + 1; end++) {
      const piece = SPACE + word.slice(0, end - 1);
      if (!seen.has(piece)) {
        seen.add(piece);
        pieces.push(piece);
      }
    }
  const scores = tokens.map(() => 0);
  for (const [rank, piece] of pieces.entries()) {
    if (tokens.length === size) break;
    tokens.push(piece);
    types.push(TokenType.normal);
    scores.push(-rank);
  }
  while (tokens.length < size) {
    tokens.push(`<unused_${tokens.length}>`);
    types.push(TokenType.unused);
    scores.push(0);
  }
  return { tokens, scores, types };
}
