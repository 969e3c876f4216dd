/**
 * GGUF v2/v3 reader: parses the header, metadata and tensor table in one pass
 * of positioned reads, validates every tensor against the file size, and
 * reads tensor data on demand straight into a fresh buffer.
 * @module
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { FileCursor } from './file-cursor.js';
import {
  alignUp,
  GGML_TYPES,
  GGUF_DEFAULT_ALIGNMENT,
  GGUF_MAGIC,
  GGUF_SUPPORTED_VERSIONS,
  GGUF_VALUE_SIZE,
  GGUF_VALUE_TYPES,
  ggmlByteSize,
  ggmlTypeFromId,
  ggmlTypeName,
  type GgmlType,
  type GgufValueType,
} from './gguf-format.js';
import { GgufMetadata, type GgufEntry, type GgufValue } from './gguf-metadata.js';

/** One entry of the tensor table, validated against the file. */
export interface GgufTensorInfo {
  readonly name: string;
  /** GGUF order, innermost first: `dims[0]` (ne0) is the contiguous one, i.e. the columns of a matrix. */
  readonly dims: readonly number[];
  readonly type: GgmlType;
  /** Absolute file offset of the tensor's first byte (data section start + the table's relative offset). */
  readonly offset: number;
  readonly byteLength: number;
  readonly numel: number;
}

const MAX_DIMS = 4; // GGML_MAX_DIMS
const MAX_READ = 1 << 30; // readSync's length is an int32

/** An open GGUF file. Call {@link GgufFile.close} when done reading tensors. */
export class GgufFile {
  readonly path: string;
  readonly version: number;
  readonly metadata: GgufMetadata;
  /** Tensors in table order. */
  readonly tensors: readonly GgufTensorInfo[];
  /** `general.alignment`, or 32 when absent. */
  readonly alignment: number;
  /** File offset where tensor data starts (end of the table, aligned up). */
  readonly dataOffset: number;
  readonly fileSize: number;
  #fd: number | undefined;
  readonly #byName: ReadonlyMap<string, GgufTensorInfo>;

  /** Use {@link openGguf}. */
  constructor(fd: number, path: string, parsed: ParsedGguf) {
    this.#fd = fd;
    this.path = path;
    this.version = parsed.version;
    this.metadata = parsed.metadata;
    this.tensors = parsed.tensors;
    this.alignment = parsed.alignment;
    this.dataOffset = parsed.dataOffset;
    this.fileSize = parsed.fileSize;
    this.#byName = new Map(parsed.tensors.map((t) => [t.name, t]));
  }

  /** The tensor called `name`, or undefined. */
  findTensor(name: string): GgufTensorInfo | undefined {
    return this.#byName.get(name);
  }

  /** The tensor called `name`; throws naming the file when absent. */
  tensor(name: string): GgufTensorInfo {
    const t = this.#byName.get(name);
    if (!t) throw new Error(`${this.path}: tensor ${name} is missing`);
    return t;
  }

  /** The tensor's raw bytes as stored in the file (GGUF block layout), read into a fresh buffer. */
  readTensor(name: string): Uint8Array {
    const t = this.tensor(name);
    if (this.#fd === undefined) throw new Error(`${this.path}: file is closed (reading tensor ${name})`);
    const out = new Uint8Array(t.byteLength);
    for (let done = 0; done < out.length;) {
      const got = readSync(this.#fd, out, done, Math.min(MAX_READ, out.length - done), t.offset + done);
      if (got === 0) throw new Error(`${this.path}: short read of tensor ${name} at byte ${t.offset + done}`);
      done += got;
    }
    return out;
  }

  /** Closes the file; metadata and the tensor table stay readable. */
  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }
}

/** What {@link GgufFile}'s constructor is given. */
export interface ParsedGguf {
  readonly version: number;
  readonly metadata: GgufMetadata;
  readonly tensors: readonly GgufTensorInfo[];
  readonly alignment: number;
  readonly dataOffset: number;
  readonly fileSize: number;
}

/**
 * Opens a GGUF file and parses everything but the tensor data. Throws a
 * clear error (naming the file) for a bad magic, GGUF v1 or big-endian files,
 * truncation, out-of-range sizes, and tensor types other than F32, F16, Q8_0,
 * Q4_0, Q4_K, Q5_K and Q6_K.
 */
export function openGguf(path: string): GgufFile {
  const fd = openSync(path, 'r');
  try {
    return new GgufFile(fd, path, parseGguf(new FileCursor(fd, fstatSync(fd).size, path), path));
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}

function parseGguf(cur: FileCursor, path: string): ParsedGguf {
  const magic = cur.u32('magic');
  if (magic !== GGUF_MAGIC)
    throw new Error(
      `${path}: not a GGUF file (magic 0x${magic.toString(16).padStart(8, '0')}, expected "GGUF")`,
    );
  const version = cur.u32('version');
  if ((version & 0xffff) === 0 && version !== 0)
    throw new Error(`${path}: big-endian GGUF files are not supported`);
  if (!GGUF_SUPPORTED_VERSIONS.includes(version))
    throw new Error(
      `${path}: GGUF version ${version} is not supported (supported: ${GGUF_SUPPORTED_VERSIONS.join(', ')})`,
    );
  const tensorCount = cur.size('tensor count', 24);
  const kvCount = cur.size('metadata count', 13);

  const entries = new Map<string, GgufEntry>();
  for (let i = 0; i < kvCount; i++) {
    const key = cur.string(`metadata key #${i}`);
    if (entries.has(key)) throw new Error(`${path}: metadata key ${key} appears twice`);
    const type = valueType(cur, path, key);
    entries.set(key, { type, value: readValue(cur, type, key, path) });
  }
  const metadata = new GgufMetadata(entries, path);

  const raw: { name: string; dims: number[]; type: GgmlType; offset: number }[] = [];
  const names = new Set<string>();
  for (let i = 0; i < tensorCount; i++) {
    const name = cur.string(`name of tensor #${i}`);
    if (names.has(name)) throw new Error(`${path}: tensor ${name} appears twice`);
    names.add(name);
    const nDims = cur.u32(`dimension count of tensor ${name}`);
    if (nDims < 1 || nDims > MAX_DIMS)
      throw new Error(`${path}: tensor ${name} has ${nDims} dimensions, expected 1 to ${MAX_DIMS}`);
    const dims = Array.from({ length: nDims }, (_, d) =>
      safe(cur.u64(`dims of tensor ${name}`), `tensor ${name} dim ${d}`, path),
    );
    const typeId = cur.u32(`type of tensor ${name}`);
    const type = ggmlTypeFromId(typeId);
    if (!type)
      throw new Error(
        `${path}: tensor ${name} has type ${ggmlTypeName(typeId)}, which this engine cannot load (supported: ${Object.keys(GGML_TYPES).join(', ')})`,
      );
    raw.push({
      name,
      dims,
      type,
      offset: safe(cur.u64(`offset of tensor ${name}`), `tensor ${name} offset`, path),
    });
  }

  const alignment = metadata.numberOr('general.alignment', GGUF_DEFAULT_ALIGNMENT);
  if (!Number.isInteger(alignment) || alignment <= 0 || (alignment & (alignment - 1)) !== 0)
    throw new Error(`${path}: general.alignment is ${alignment}, expected a power of two`);
  const dataOffset = alignUp(cur.position, alignment);
  const tensors = raw.map((t): GgufTensorInfo => {
    const numel = t.dims.reduce((a, b) => a * b, 1);
    const byteLength = ggmlByteSize(t.type, t.dims[0]!, numel, `${path}: tensor ${t.name}`);
    if (t.offset % alignment !== 0)
      throw new Error(
        `${path}: tensor ${t.name} offset ${t.offset} is not a multiple of the alignment ${alignment}`,
      );
    const offset = dataOffset + t.offset;
    if (offset + byteLength > cur.fileSize)
      throw new Error(
        `${path}: tensor ${t.name} (${t.type} [${t.dims.join(', ')}]) ends at byte ${offset + byteLength}, past the end of the file (${cur.fileSize} bytes): truncated file`,
      );
    return { ...t, offset, byteLength, numel };
  });
  return { version, metadata, tensors, alignment, dataOffset, fileSize: cur.fileSize };
}

function valueType(cur: FileCursor, path: string, key: string): GgufValueType {
  const id = cur.u32(`type of ${key}`);
  const type = GGUF_VALUE_TYPES[id];
  if (!type) throw new Error(`${path}: metadata key ${key} has unknown value type ${id}`);
  return type;
}

function readValue(cur: FileCursor, type: GgufValueType, key: string, path: string): GgufValue {
  switch (type) {
    case 'u8':
      return cur.u8(key);
    case 'i8':
      return cur.i8(key);
    case 'u16':
      return cur.u16(key);
    case 'i16':
      return cur.i16(key);
    case 'u32':
      return cur.u32(key);
    case 'i32':
      return cur.i32(key);
    case 'f32':
      return cur.f32(key);
    case 'f64':
      return cur.f64(key);
    case 'u64':
      return cur.u64(key);
    case 'i64':
      return cur.i64(key);
    case 'bool': {
      const b = cur.u8(key);
      if (b > 1) throw new Error(`${path}: metadata key ${key} is a bool stored as ${b}, expected 0 or 1`);
      return b === 1;
    }
    case 'string':
      return cur.string(key);
    case 'array': {
      const itemType = valueType(cur, path, `items of ${key}`);
      // Strings and arrays take at least their 8-byte length (and an array its 4-byte type).
      const count = cur.size(`item count of ${key}`, GGUF_VALUE_SIZE[itemType] ?? 8);
      const items = new Array<GgufValue>(count);
      for (let i = 0; i < count; i++) items[i] = readValue(cur, itemType, `${key}[${i}]`, path);
      return { itemType, items };
    }
  }
}

function safe(value: bigint, what: string, path: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`${path}: ${what} is ${value}, out of range`);
  return Number(value);
}
