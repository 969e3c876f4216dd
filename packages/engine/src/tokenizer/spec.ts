/**
 * The tokenizer's input as plain data, independent of the file it came from (GGUF metadata or a
 * llama2.c `tokenizer.bin`).
 * @module
 */

/**
 * GGUF `tokenizer.ggml.token_type` values (llama.cpp's `llama_token_type`). Only NORMAL and
 * USER_DEFINED pieces take part in SentencePiece merges; CONTROL and UNKNOWN are matched in text only
 * with `parseSpecial`; USER_DEFINED are always matched whole, as SentencePiece and llama.cpp do.
 */
export const TokenType = {
  normal: 1,
  unknown: 2,
  control: 3,
  userDefined: 4,
  unused: 5,
  byte: 6,
} as const;

/** Which algorithm splits text into tokens: SentencePiece-style (`llama`) or byte-level BPE (`gpt2`). */
export type TokenizerModel = 'llama' | 'gpt2';

/**
 * Everything a tokenizer needs, field for field the GGUF tokenizer metadata
 * (`tokenizer.ggml.<snake_case field>`, `tokenizer.chat_template`). Absent ids and flags take
 * llama.cpp's defaults when the tokenizer is built: for `llama` BOS 1, EOS 2, UNK 0, addBosToken and
 * addSpacePrefix true; for `gpt2` no ids and both flags false.
 */
export interface TokenizerSpec {
  model: TokenizerModel;
  /** Piece text per id; SentencePiece pieces use U+2581 for spaces, BPE pieces the GPT-2 byte alphabet. */
  tokens: string[];
  /** SentencePiece merge priorities (higher merges first); required for `llama`. */
  scores?: Float32Array | number[];
  /** {@link TokenType} per id; absent means all NORMAL. */
  tokenTypes?: number[];
  /** Ranked BPE merges, `"left right"`, best first; required for `gpt2`. */
  merges?: string[];
  /** Pre-tokenizer name (`tokenizer.ggml.pre`): `llama3`, `qwen2`, `default`/`gpt2`. */
  pre?: string;
  bosId?: number;
  eosId?: number;
  /** End of turn (`tokenizer.ggml.eot_token_id`, e.g. llama 3's `<|eot_id|>`): ends a generation like EOS. */
  eotId?: number;
  /** End of message (`tokenizer.ggml.eom_token_id`, llama 3.1's `<|eom_id|>`): ends a generation like EOS. */
  eomId?: number;
  unkId?: number;
  padId?: number;
  addBosToken?: boolean;
  addEosToken?: boolean;
  /** SentencePiece "dummy prefix": a space before the first piece of text. */
  addSpacePrefix?: boolean;
  /** Jinja chat template source (`tokenizer.chat_template`). */
  chatTemplate?: string;
}

type Get = (key: string) => unknown;

function fail(key: string, expected: string, value: unknown): never {
  const shown = Array.isArray(value) ? `array of ${value.length}` : typeof value;
  throw new Error(`tokenizer metadata ${key}: expected ${expected}, got ${shown}`);
}

function optionalId(get: Get, key: string): number | undefined {
  const value = get(key);
  if (value === undefined) return undefined;
  const id = typeof value === 'bigint' ? Number(value) : value;
  if (typeof id !== 'number' || !Number.isInteger(id) || id < 0) fail(key, 'a non-negative integer', value);
  return id;
}

function optionalBool(get: Get, key: string): boolean | undefined {
  const value = get(key);
  if (value === undefined || typeof value === 'boolean') return value;
  return fail(key, 'a boolean', value);
}

function optionalString(get: Get, key: string): string | undefined {
  const value = get(key);
  if (value === undefined || typeof value === 'string') return value;
  return fail(key, 'a string', value);
}

/**
 * Reads a metadata array given as a plain array, a typed array, or an `{ items }` wrapper (how a
 * GGUF reader that keeps each array's item type hands it out).
 */
function optionalArray(get: Get, key: string): unknown[] | undefined {
  const raw = get(key);
  const value = typeof raw === 'object' && raw !== null && 'items' in raw ? raw.items : raw;
  if (value === undefined) return undefined;
  if (Array.isArray(value)) return value as unknown[];
  if (ArrayBuffer.isView(value) && !(value instanceof DataView))
    return Array.from(value as unknown as ArrayLike<unknown>);
  return fail(key, 'an array', value);
}

function arrayOf<T>(key: string, values: unknown[], expected: string, ok: (v: unknown) => v is T): T[] {
  const bad = values.findIndex((v) => !ok(v));
  if (bad >= 0) fail(`${key}[${bad}]`, expected, values[bad]);
  return values as T[];
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isNumber = (v: unknown): v is number => typeof v === 'number';

/**
 * Builds a {@link TokenizerSpec} from any metadata getter keyed by GGUF names that returns undefined
 * for absent keys (e.g. `(key) => metadata.entry(key)?.value`). Integers may be numbers or bigints;
 * arrays plain, typed or `{ items }`. Checks each field's type and that the per-token arrays have
 * one entry per token; throws naming the key and what was expected.
 */
export function tokenizerSpecFromMetadata(get: Get): TokenizerSpec {
  const model = get('tokenizer.ggml.model');
  if (model !== 'llama' && model !== 'gpt2') {
    throw new Error(
      `tokenizer metadata tokenizer.ggml.model: expected 'llama' or 'gpt2', got ${JSON.stringify(model)}`,
    );
  }
  const rawTokens = optionalArray(get, 'tokenizer.ggml.tokens');
  if (rawTokens === undefined) throw new Error('tokenizer metadata tokenizer.ggml.tokens: missing');
  const tokens = arrayOf('tokenizer.ggml.tokens', rawTokens, 'a string', isString);
  const perToken = (key: string): number[] | undefined => {
    const values = optionalArray(get, key);
    if (values === undefined) return undefined;
    if (values.length !== tokens.length) fail(key, `${tokens.length} entries (one per token)`, values);
    return arrayOf(key, values, 'a number', isNumber);
  };
  const merges = optionalArray(get, 'tokenizer.ggml.merges');
  const spec: TokenizerSpec = {
    model,
    tokens,
    scores: perToken('tokenizer.ggml.scores'),
    tokenTypes: perToken('tokenizer.ggml.token_type'),
    merges: merges && arrayOf('tokenizer.ggml.merges', merges, 'a string', isString),
    pre: optionalString(get, 'tokenizer.ggml.pre'),
    bosId: optionalId(get, 'tokenizer.ggml.bos_token_id'),
    eosId: optionalId(get, 'tokenizer.ggml.eos_token_id'),
    eotId: optionalId(get, 'tokenizer.ggml.eot_token_id'),
    eomId: optionalId(get, 'tokenizer.ggml.eom_token_id'),
    unkId: optionalId(get, 'tokenizer.ggml.unknown_token_id'),
    padId: optionalId(get, 'tokenizer.ggml.padding_token_id'),
    addBosToken: optionalBool(get, 'tokenizer.ggml.add_bos_token'),
    addEosToken: optionalBool(get, 'tokenizer.ggml.add_eos_token'),
    addSpacePrefix: optionalBool(get, 'tokenizer.ggml.add_space_prefix'),
    chatTemplate: optionalString(get, 'tokenizer.chat_template'),
  };
  for (const key of Object.keys(spec) as (keyof TokenizerSpec)[]) {
    if (spec[key] === undefined) delete spec[key];
  }
  return spec;
}
