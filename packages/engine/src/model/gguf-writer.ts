/**
 * GGUF v3 (or v2) writer: header, typed metadata and tensor table, then each
 * tensor's data padded to the alignment. Tensor data may be produced lazily,
 * one tensor at a time, so large synthetic models never sit in memory whole.
 * @module
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import {
  alignUp,
  GGML_TYPES,
  GGUF_DEFAULT_ALIGNMENT,
  GGUF_MAGIC,
  GGUF_VALUE_TYPES,
  ggmlByteSize,
  type GgmlType,
  type GgufValueType,
} from './gguf-format.js';
import type { GgufArray, GgufEntry, GgufValue } from './gguf-metadata.js';

/** A tensor to write. */
export interface GgufTensorSpec {
  readonly name: string;
  /** GGUF order, innermost first: a `[rows, cols]` matrix is `[cols, rows]`. */
  readonly dims: readonly number[];
  readonly type: GgmlType;
  /** Bytes in the GGUF layout of `type`, or a function called once when the tensor is written. */
  readonly data: Uint8Array | (() => Uint8Array);
}

/** Options of {@link writeGguf}. */
export interface GgufWriteOptions {
  /** GGUF version written in the header (2 and 3 share the format); default 3. */
  readonly version?: 2 | 3;
}

const INT_RANGES: Partial<Record<GgufValueType, readonly [number, number]>> = {
  u8: [0, 0xff],
  i8: [-0x80, 0x7f],
  u16: [0, 0xffff],
  i16: [-0x8000, 0x7fff],
  u32: [0, 0xffffffff],
  i32: [-0x80000000, 0x7fffffff],
};

/** A growable little-endian byte buffer. */
class ByteWriter {
  #buf = new Uint8Array(1 << 16);
  #view = new DataView(this.#buf.buffer);
  length = 0;

  #grow(n: number): number {
    if (this.length + n > this.#buf.length) {
      const next = new Uint8Array(Math.max(this.#buf.length * 2, this.length + n));
      next.set(this.#buf.subarray(0, this.length));
      this.#buf = next;
      this.#view = new DataView(next.buffer);
    }
    const at = this.length;
    this.length += n;
    return at;
  }

  /** Reserves `n` bytes and lets `put` fill them; `put` sees the view only after the growth that may replace it. */
  #put(n: number, put: (view: DataView, at: number) => void): void {
    const at = this.#grow(n);
    put(this.#view, at);
  }

  u32(v: number): void {
    this.#put(4, (view, at) => view.setUint32(at, v, true));
  }
  u64(v: number | bigint): void {
    this.#put(8, (view, at) => view.setBigUint64(at, BigInt(v), true));
  }
  bytes(b: Uint8Array): void {
    const at = this.#grow(b.length);
    this.#buf.set(b, at);
  }
  string(s: string): void {
    const b = new TextEncoder().encode(s);
    this.u64(b.length);
    this.bytes(b);
  }

  value(type: GgufValueType, v: GgufValue, key: string): void {
    const fail = (expected: string) => {
      throw new Error(`GGUF metadata ${key}: ${String(v)} is not ${expected}`);
    };
    const range = INT_RANGES[type];
    if (range && (typeof v !== 'number' || !Number.isInteger(v) || v < range[0] || v > range[1]))
      fail(`a ${type}`);
    switch (type) {
      case 'bool':
        if (typeof v !== 'boolean') fail('a bool');
        return this.#put(1, (view, at) => view.setUint8(at, v ? 1 : 0));
      case 'u8':
        return this.#put(1, (view, at) => view.setUint8(at, v as number));
      case 'i8':
        return this.#put(1, (view, at) => view.setInt8(at, v as number));
      case 'u16':
        return this.#put(2, (view, at) => view.setUint16(at, v as number, true));
      case 'i16':
        return this.#put(2, (view, at) => view.setInt16(at, v as number, true));
      case 'u32':
        return this.#put(4, (view, at) => view.setUint32(at, v as number, true));
      case 'i32':
        return this.#put(4, (view, at) => view.setInt32(at, v as number, true));
      case 'f32':
      case 'f64':
        if (typeof v !== 'number') fail(`an ${type}`);
        return type === 'f32'
          ? this.#put(4, (view, at) => view.setFloat32(at, v as number, true))
          : this.#put(8, (view, at) => view.setFloat64(at, v as number, true));
      case 'u64':
      case 'i64':
        if (typeof v !== 'bigint') fail(`a bigint ${type}`);
        return type === 'u64'
          ? this.#put(8, (view, at) => view.setBigUint64(at, v as bigint, true))
          : this.#put(8, (view, at) => view.setBigInt64(at, v as bigint, true));
      case 'string':
        if (typeof v !== 'string') fail('a string');
        return this.string(v as string);
      case 'array': {
        if (typeof v !== 'object') fail('an array');
        const { itemType, items } = v as GgufArray;
        this.u32(GGUF_VALUE_TYPES.indexOf(itemType));
        this.u64(items.length);
        items.forEach((item, i) => this.value(itemType, item, `${key}[${i}]`));
        return;
      }
    }
  }

  padTo(alignment: number): void {
    this.#grow(alignUp(this.length, alignment) - this.length);
  }

  view(): Uint8Array {
    return this.#buf.subarray(0, this.length);
  }
}

/**
 * Writes a GGUF file. Metadata is written in the given order; the alignment
 * is `general.alignment` when the metadata has it, else 32. Each tensor's
 * data must have exactly the size its dims and type imply.
 */
export function writeGguf(
  path: string,
  metadata: ReadonlyMap<string, GgufEntry> | Readonly<Record<string, GgufEntry>>,
  tensors: readonly GgufTensorSpec[],
  options: GgufWriteOptions = {},
): void {
  const entries = metadata instanceof Map ? [...metadata] : Object.entries(metadata);
  const alignEntry = entries.find(([k]) => k === 'general.alignment')?.[1];
  const alignment = alignEntry ? Number(alignEntry.value) : GGUF_DEFAULT_ALIGNMENT;

  const w = new ByteWriter();
  w.u32(GGUF_MAGIC);
  w.u32(options.version ?? 3);
  w.u64(tensors.length);
  w.u64(entries.length);
  for (const [key, entry] of entries) {
    w.string(key);
    w.u32(GGUF_VALUE_TYPES.indexOf(entry.type));
    w.value(entry.type, entry.value, key);
  }
  const sizes: number[] = [];
  let offset = 0;
  for (const t of tensors) {
    const numel = t.dims.reduce((a, b) => a * b, 1);
    const size = ggmlByteSize(t.type, t.dims[0] ?? 0, numel, `GGUF tensor ${t.name}`);
    sizes.push(size);
    w.string(t.name);
    w.u32(t.dims.length);
    for (const d of t.dims) w.u64(d);
    w.u32(GGML_TYPES[t.type].id);
    w.u64(offset);
    offset = alignUp(offset + size, alignment);
  }
  w.padTo(alignment);

  const fd = openSync(path, 'w');
  try {
    writeSync(fd, w.view());
    const padding = new Uint8Array(alignment);
    tensors.forEach((t, i) => {
      const data = typeof t.data === 'function' ? t.data() : t.data;
      if (data.length !== sizes[i])
        throw new Error(
          `GGUF tensor ${t.name}: ${data.length} bytes of data, expected ${sizes[i]} for ${t.type} [${t.dims.join(', ')}]`,
        );
      writeSync(fd, data);
      writeSync(fd, padding, 0, alignUp(data.length, alignment) - data.length);
    });
  } finally {
    closeSync(fd);
  }
}
