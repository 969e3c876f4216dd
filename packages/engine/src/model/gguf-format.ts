/**
 * Constants of the GGUF container shared by the reader and the writer: the
 * magic, metadata value types and the tensor types this engine can load.
 * @module
 */

/** `"GGUF"` read as a little-endian u32. */
export const GGUF_MAGIC = 0x46554747;

/** Tensor data offsets are multiples of this unless `general.alignment` says otherwise. */
export const GGUF_DEFAULT_ALIGNMENT = 32;

/** GGUF versions this reader accepts (v1 used 32-bit counts; v2 moved them to 64 bits; v3 only added big-endian files). */
export const GGUF_SUPPORTED_VERSIONS: readonly number[] = [2, 3];

/** A metadata value type, by its name in the GGUF spec (lower case). */
export type GgufValueType =
  'u8' | 'i8' | 'u16' | 'i16' | 'u32' | 'i32' | 'f32' | 'bool' | 'string' | 'array' | 'u64' | 'i64' | 'f64';

/** Value types in the order of their on-disk ids (`GGUF_TYPE_UINT8` = 0 … `GGUF_TYPE_FLOAT64` = 12). */
export const GGUF_VALUE_TYPES: readonly GgufValueType[] = [
  'u8',
  'i8',
  'u16',
  'i16',
  'u32',
  'i32',
  'f32',
  'bool',
  'string',
  'array',
  'u64',
  'i64',
  'f64',
];

/** Bytes of one fixed-size value; strings and arrays have none. */
export const GGUF_VALUE_SIZE: Readonly<Partial<Record<GgufValueType, number>>> = {
  u8: 1,
  i8: 1,
  bool: 1,
  u16: 2,
  i16: 2,
  u32: 4,
  i32: 4,
  f32: 4,
  u64: 8,
  i64: 8,
  f64: 8,
};

/** Tensor storage types this engine loads; every other GGML type is rejected at load time. */
export type GgmlType = 'F32' | 'F16' | 'Q4_0' | 'Q8_0' | 'Q4_K' | 'Q5_K' | 'Q6_K';

/** On-disk id, block size (elements) and bytes per block of each supported GGML type. */
export const GGML_TYPES: Readonly<Record<GgmlType, { id: number; blockSize: number; blockBytes: number }>> = {
  F32: { id: 0, blockSize: 1, blockBytes: 4 },
  F16: { id: 1, blockSize: 1, blockBytes: 2 },
  // f16 scale, then 16 bytes of packed 4-bit quants.
  Q4_0: { id: 2, blockSize: 32, blockBytes: 18 },
  // f16 scale, then 32 int8 quants.
  Q8_0: { id: 8, blockSize: 32, blockBytes: 34 },
  // ggml's K-quant super-blocks (block_q4_K etc.; layouts in @x/kernels-webgpu's kquants).
  Q4_K: { id: 12, blockSize: 256, blockBytes: 144 },
  Q5_K: { id: 13, blockSize: 256, blockBytes: 176 },
  Q6_K: { id: 14, blockSize: 256, blockBytes: 210 },
};

// Names of the GGML types we reject, so the error says what the file holds (ggml.h numbering).
const OTHER_GGML_TYPE_NAMES: Readonly<Record<number, string>> = {
  3: 'Q4_1',
  6: 'Q5_0',
  7: 'Q5_1',
  9: 'Q8_1',
  10: 'Q2_K',
  11: 'Q3_K',
  15: 'Q8_K',
  16: 'IQ2_XXS',
  17: 'IQ2_XS',
  18: 'IQ3_XXS',
  19: 'IQ1_S',
  20: 'IQ4_NL',
  21: 'IQ3_S',
  22: 'IQ2_S',
  23: 'IQ4_XS',
  24: 'I8',
  25: 'I16',
  26: 'I32',
  27: 'I64',
  28: 'F64',
  29: 'IQ1_M',
  30: 'BF16',
  34: 'TQ1_0',
  35: 'TQ2_0',
  39: 'MXFP4',
};

/** The supported type with on-disk id `id`, if any. */
export function ggmlTypeFromId(id: number): GgmlType | undefined {
  return (Object.keys(GGML_TYPES) as GgmlType[]).find((t) => GGML_TYPES[t].id === id);
}

/** A readable name for any GGML type id, supported or not (for error messages). */
export function ggmlTypeName(id: number): string {
  return ggmlTypeFromId(id) ?? OTHER_GGML_TYPE_NAMES[id] ?? `unknown type ${id}`;
}

/**
 * Bytes of a tensor of `type` whose innermost dimension is `ne0` and which has
 * `numel` elements; throws when `ne0` is not a whole number of blocks.
 */
export function ggmlByteSize(type: GgmlType, ne0: number, numel: number, what: string): number {
  const { blockSize, blockBytes } = GGML_TYPES[type];
  if (ne0 % blockSize !== 0)
    throw new Error(
      `${what}: ${type} needs the innermost dimension to be a multiple of ${blockSize}, got ${ne0}`,
    );
  return (numel / blockSize) * blockBytes;
}

/** Rounds `n` up to a multiple of `alignment`. */
export function alignUp(n: number, alignment: number): number {
  return Math.ceil(n / alignment) * alignment;
}
