/**
 * GGUF metadata values, with their on-disk types kept, and typed accessors
 * that fail with the key, the expected type and what the file holds.
 * @module
 */
import type { GgufValueType } from './gguf-format.js';

/**
 * A metadata value as JS sees it: numbers for every numeric type up to 32
 * bits and for f32/f64, `bigint` for u64/i64 (exact), booleans, strings, and
 * arrays (whose items are again plain values).
 */
export type GgufValue = number | bigint | boolean | string | GgufArray;

/** A GGUF array: one item type for all items (which may themselves be arrays). */
export interface GgufArray {
  readonly itemType: GgufValueType;
  readonly items: readonly GgufValue[];
}

/** One metadata entry: the value and its on-disk type (the writer needs the type, JS numbers don't carry it). */
export interface GgufEntry {
  readonly type: GgufValueType;
  readonly value: GgufValue;
}

/** Constructors for {@link GgufEntry} values, so writers spell the on-disk type once. */
export const gguf = {
  u8: (value: number): GgufEntry => ({ type: 'u8', value }),
  i8: (value: number): GgufEntry => ({ type: 'i8', value }),
  u16: (value: number): GgufEntry => ({ type: 'u16', value }),
  i16: (value: number): GgufEntry => ({ type: 'i16', value }),
  u32: (value: number): GgufEntry => ({ type: 'u32', value }),
  i32: (value: number): GgufEntry => ({ type: 'i32', value }),
  f32: (value: number): GgufEntry => ({ type: 'f32', value }),
  f64: (value: number): GgufEntry => ({ type: 'f64', value }),
  u64: (value: bigint): GgufEntry => ({ type: 'u64', value }),
  i64: (value: bigint): GgufEntry => ({ type: 'i64', value }),
  bool: (value: boolean): GgufEntry => ({ type: 'bool', value }),
  string: (value: string): GgufEntry => ({ type: 'string', value }),
  array: (itemType: GgufValueType, items: readonly GgufValue[]): GgufEntry => ({
    type: 'array',
    value: { itemType, items },
  }),
};

const NUMERIC: ReadonlySet<GgufValueType> = new Set([
  'u8',
  'i8',
  'u16',
  'i16',
  'u32',
  'i32',
  'u64',
  'i64',
  'f32',
  'f64',
]);

function toNumber(value: GgufValue, what: string): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') {
    if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER))
      throw new Error(`${what} is ${value}, too large for a JS number`);
    return Number(value);
  }
  throw new Error(`${what} is not a number`);
}

/** The metadata of a GGUF file, in file order, with accessors that check presence and type. */
export class GgufMetadata {
  readonly #entries: ReadonlyMap<string, GgufEntry>;
  readonly #label: string;

  /** `label` names the file in errors. */
  constructor(entries: ReadonlyMap<string, GgufEntry>, label: string) {
    this.#entries = entries;
    this.#label = label;
  }

  /** Every key, in file order. */
  keys(): string[] {
    return [...this.#entries.keys()];
  }

  /** Whether the file has `key` (of any type). */
  has(key: string): boolean {
    return this.#entries.has(key);
  }

  /**
   * The value as plain JS (arrays as JS arrays of their items, recursively),
   * or undefined when absent: for readers that check types themselves, such as
   * the tokenizer's `tokenizerSpecFromMetadata((key) => metadata.get(key))`.
   */
  get(key: string): unknown {
    const e = this.#entries.get(key);
    return e && plain(e.value);
  }

  /** The raw entry, or undefined when absent. */
  entry(key: string): GgufEntry | undefined {
    return this.#entries.get(key);
  }

  #require(key: string, expected: string, ok: (e: GgufEntry) => boolean): GgufEntry {
    const e = this.#entries.get(key);
    if (!e) throw new Error(`${this.#label}: metadata key ${key} is missing (expected ${expected})`);
    if (!ok(e))
      throw new Error(`${this.#label}: metadata key ${key} is ${describe(e)}, expected ${expected}`);
    return e;
  }

  /** A string value; throws when missing or not a string. */
  getString(key: string): string {
    return this.#require(key, 'a string', (e) => e.type === 'string').value as string;
  }

  /** Any numeric type as a number (u64/i64 must be safe integers); throws when missing or not numeric. */
  getNumber(key: string): number {
    const e = this.#require(key, 'a number', (e) => NUMERIC.has(e.type));
    return toNumber(e.value, `${this.#label}: metadata key ${key}`);
  }

  /** A bool value; throws when missing or not a bool. */
  getBool(key: string): boolean {
    return this.#require(key, 'a bool', (e) => e.type === 'bool').value as boolean;
  }

  /** An array's items; with `itemType` (`'number'` = any numeric type) also checks what they are. */
  getArray(key: string, itemType?: GgufValueType | 'number'): readonly GgufValue[] {
    const expected = itemType ? `an array of ${itemType}` : 'an array';
    const e = this.#require(key, expected, (e) => {
      if (e.type !== 'array') return false;
      const t = (e.value as GgufArray).itemType;
      return !itemType || t === itemType || (itemType === 'number' && NUMERIC.has(t));
    });
    return (e.value as GgufArray).items;
  }

  /** An array of strings (e.g. `tokenizer.ggml.tokens`). */
  getStringArray(key: string): readonly string[] {
    return this.getArray(key, 'string') as readonly string[];
  }

  /** An array of any numeric type, as numbers (e.g. `tokenizer.ggml.scores`). */
  getNumberArray(key: string): number[] {
    return this.getArray(key, 'number').map((v, i) => toNumber(v, `${this.#label}: ${key}[${i}]`));
  }

  /** {@link getNumber}, or `fallback` when the key is absent (a present but mistyped key still throws). */
  numberOr(key: string, fallback: number): number {
    return this.has(key) ? this.getNumber(key) : fallback;
  }

  /** {@link getNumber}, or undefined when the key is absent. */
  optionalNumber(key: string): number | undefined {
    return this.has(key) ? this.getNumber(key) : undefined;
  }
}

function plain(value: GgufValue): unknown {
  if (typeof value !== 'object') return value;
  return value.itemType === 'array' ? value.items.map(plain) : value.items;
}

function describe(e: GgufEntry): string {
  if (e.type === 'array') {
    const a = e.value as GgufArray;
    return `an array of ${a.items.length} ${a.itemType}`;
  }
  const shown = String(e.value);
  return `a ${e.type} (${shown.length > 40 ? `${shown.slice(0, 40)}…` : shown})`;
}
