/**
 * The resolved vocabulary shared by both tokenizer models: piece lookup, token types, the special
 * ids with llama.cpp's defaults filled in, and the split of text around special tokens.
 * @module
 */
import { endOfGenerationIds } from './end-of-generation.js';
import { TokenType, type TokenizerModel, type TokenizerSpec } from './spec.js';

/** A piece of input text: raw text to run through the model, or the id of a special token found in it. */
export type Fragment = string | number;

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** Longest-first alternation, so that `<|im_start|>` wins over a shorter token that prefixes it. */
function alternation(texts: string[]): RegExp | undefined {
  if (texts.length === 0) return undefined;
  const sorted = [...texts].sort((a, b) => b.length - a.length);
  return new RegExp(sorted.map(escapeRegExp).join('|'), 'g');
}

function checkId(name: string, id: number | undefined, size: number): number | undefined {
  if (id !== undefined && (!Number.isInteger(id) || id < 0 || id >= size)) {
    throw new Error(`tokenizer spec: ${name} ${id} is outside the vocabulary of ${size} tokens`);
  }
  return id;
}

/** Vocabulary tables built once from a {@link TokenizerSpec}. */
export class Vocab {
  readonly model: TokenizerModel;
  readonly tokens: readonly string[];
  /** {@link TokenType} per id. */
  readonly types: Uint8Array;
  readonly bosId: number | undefined;
  readonly eosId: number | undefined;
  readonly eotId: number | undefined;
  readonly eomId: number | undefined;
  /** EOS, EOT, EOM and the special end-of-turn tokens: see `end-of-generation.ts`. */
  readonly endOfGenerationIds: readonly number[];
  readonly unkId: number | undefined;
  readonly padId: number | undefined;
  readonly addBos: boolean;
  readonly addEos: boolean;
  readonly addSpacePrefix: boolean;
  private readonly ids = new Map<string, number>();
  /** Text to id of the tokens {@link Vocab.split} may cut out. */
  private readonly specialIds = new Map<string, number>();
  /** Control, unknown and user-defined tokens: matched in text with `parseSpecial`. */
  private readonly specialPattern: RegExp | undefined;
  /** User-defined tokens alone: always matched whole, as SentencePiece and llama.cpp do. */
  private readonly userPattern: RegExp | undefined;

  constructor(spec: TokenizerSpec) {
    const { model, tokens } = spec;
    const size = tokens.length;
    if (size === 0) throw new Error('tokenizer spec: tokens is empty');
    if (spec.tokenTypes && spec.tokenTypes.length !== size) {
      throw new Error(`tokenizer spec: tokenTypes has ${spec.tokenTypes.length} entries for ${size} tokens`);
    }
    this.model = model;
    this.tokens = tokens;
    this.types = Uint8Array.from(spec.tokenTypes ?? new Array<number>(size).fill(TokenType.normal));
    const spm = model === 'llama';
    this.bosId = checkId('bosId', spec.bosId ?? (spm ? 1 : undefined), size);
    this.eosId = checkId('eosId', spec.eosId ?? (spm ? 2 : undefined), size);
    this.eotId = checkId('eotId', spec.eotId, size);
    this.eomId = checkId('eomId', spec.eomId, size);
    this.unkId = checkId('unkId', spec.unkId ?? (spm ? 0 : undefined), size);
    this.padId = checkId('padId', spec.padId, size);
    this.addBos = spec.addBosToken ?? spm;
    this.addEos = spec.addEosToken ?? false;
    this.addSpacePrefix = spec.addSpacePrefix ?? spm;
    if (this.addBos && this.bosId === undefined) throw new Error('tokenizer spec: addBosToken without bosId');
    if (this.addEos && this.eosId === undefined) throw new Error('tokenizer spec: addEosToken without eosId');

    const special: string[] = [];
    const user: string[] = [];
    tokens.forEach((text, id) => {
      if (!this.ids.has(text)) this.ids.set(text, id);
      if (text === '' || !this.isSpecial(id) || this.specialIds.has(text)) return;
      this.specialIds.set(text, id);
      special.push(text);
      if (this.types[id] === TokenType.userDefined) user.push(text);
    });
    this.endOfGenerationIds = endOfGenerationIds(this);
    this.specialPattern = alternation(special);
    this.userPattern = alternation(user);
  }

  /** Number of tokens. */
  get size(): number {
    return this.tokens.length;
  }

  /** The id of a piece of any type, or undefined. */
  idOf(text: string): number | undefined {
    return this.ids.get(text);
  }

  /** The id of a piece that text may be merged into (NORMAL or USER_DEFINED), or undefined. */
  pieceId(text: string): number | undefined {
    const id = this.ids.get(text);
    if (id === undefined) return undefined;
    const type = this.types[id];
    return type === TokenType.normal || type === TokenType.userDefined ? id : undefined;
  }

  /** True for the token types that {@link Vocab.split} cuts out of text: control, unknown, user-defined. */
  isSpecial(id: number): boolean {
    const type = this.types[id];
    return type === TokenType.control || type === TokenType.unknown || type === TokenType.userDefined;
  }

  /**
   * Splits text around special tokens written in it, leftmost-longest. User-defined tokens always
   * match; control and unknown tokens (`<s>`, `<|im_start|>`) only with `parseSpecial`, so user text
   * cannot inject them. Lazy, so that encoding can stop early without scanning the rest.
   */
  *split(text: string, parseSpecial: boolean): Generator<Fragment, void, void> {
    const pattern = parseSpecial ? this.specialPattern : this.userPattern;
    let last = 0;
    if (pattern !== undefined) {
      for (const match of text.matchAll(pattern)) {
        if (match.index > last) yield text.slice(last, match.index);
        yield this.specialIds.get(match[0]) as number;
        last = match.index + match[0].length;
      }
    }
    if (last < text.length) yield text.slice(last);
  }
}
