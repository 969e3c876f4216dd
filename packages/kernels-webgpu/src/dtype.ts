/**
 * Element types and their host-side encodings: f16 bit conversion and the
 * GPU layout of GGUF Q8_0 weights.
 * @module
 */

/**
 * Element type of a GPU tensor. `f16`, `q8_0` and the K-quants are storage
 * formats read as packed `u32` words in WGSL, so they need no `shader-f16` feature.
 */
export type DType = 'f32' | 'f16' | 'q8_0' | KQuantDType | 'i32' | 'u32';

/** ggml's K-quant weight formats (see `kquants/`), in 256-value super-blocks. */
export type KQuantDType = 'q4_k' | 'q5_k' | 'q6_k';

/** Values per Q8_0 block (GGUF `QK8_0`). */
export const Q8_0_BLOCK = 32;

/** Values per K-quant super-block (ggml's `QK_K`). */
export const QK_K = 256;

/** Bytes per K-quant super-block, in a GGUF file and in the GPU layout alike. */
export const K_QUANT_BLOCK_BYTES: Readonly<Record<KQuantDType, number>> = { q4_k: 144, q5_k: 176, q6_k: 210 };

/** True for the K-quant dtypes. */
export function isKQuant(dtype: DType): dtype is KQuantDType {
  return dtype in K_QUANT_BLOCK_BYTES;
}

/**
 * Bytes a tensor of `dtype` and `numel` elements occupies on the GPU.
 * Q8_0 is stored as the quants (1 byte each) followed by one f16 scale per
 * block of 32: see {@link quantizeQ8_0}; K-quants take their block size.
 */
export function byteSize(dtype: DType, numel: number): number {
  switch (dtype) {
    case 'f32':
    case 'i32':
    case 'u32':
      return numel * 4;
    case 'f16':
      if (numel % 2 !== 0) throw new Error(`f16 tensors need an even element count (got ${numel})`);
      return numel * 2;
    case 'q8_0':
      if (numel % Q8_0_BLOCK !== 0)
        throw new Error(`q8_0 tensors need a multiple of 32 elements (got ${numel})`);
      return numel + (numel / Q8_0_BLOCK) * 2;
    case 'q4_k':
    case 'q5_k':
    case 'q6_k':
      if (numel % QK_K !== 0)
        throw new Error(`${dtype} tensors need a multiple of ${QK_K} elements (got ${numel})`);
      return (numel / QK_K) * K_QUANT_BLOCK_BYTES[dtype];
  }
}

const f32Scratch = new Float32Array(1);
const u32Scratch = new Uint32Array(f32Scratch.buffer);

/** Rounds an f32 to the nearest f16 (ties to even) and returns its 16 bits. */
export function f32ToF16Bits(value: number): number {
  f32Scratch[0] = value;
  const x = u32Scratch[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0); // inf / nan
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00; // overflow to inf
  if (e <= 0) {
    if (e < -10) return sign; // underflow to zero
    mant |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    let m = mant >>> shift;
    const rest = mant & ((1 << shift) - 1);
    if (rest > half || (rest === half && m & 1)) m++;
    return sign | m;
  }
  let h = sign | (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && h & 1)) h++; // may carry into the exponent: still correct
  return h;
}

/** Decodes 16 f16 bits to a number. */
export function f16BitsToF32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** Encodes floats as f16 bits. */
export function toF16(values: ArrayLike<number>): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = f32ToF16Bits(values[i]!);
  return out;
}

/** Decodes f16 bits to floats. */
export function fromF16(bits: ArrayLike<number>): Float32Array {
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = f16BitsToF32(bits[i]!);
  return out;
}

/**
 * Quantises row-major values to the GPU Q8_0 layout: `numel` int8 quants in
 * element order, then one f16 scale per block of 32 (block b covers elements
 * 32b..32b+31). Same rounding as GGUF's reference `quantize_row_q8_0`:
 * d = max|x| / 127, q = round(x / d).
 */
export function quantizeQ8_0(values: ArrayLike<number>): Uint8Array {
  const n = values.length;
  const out = new Uint8Array(byteSize('q8_0', n));
  const quants = new Int8Array(out.buffer, 0, n);
  const scales = new Uint16Array(out.buffer, n, n / Q8_0_BLOCK);
  for (let b = 0; b < n / Q8_0_BLOCK; b++) {
    let amax = 0;
    for (let i = 0; i < Q8_0_BLOCK; i++) amax = Math.max(amax, Math.abs(values[b * Q8_0_BLOCK + i]!));
    const d = amax / 127;
    const id = d ? 1 / d : 0;
    scales[b] = f32ToF16Bits(d);
    for (let i = 0; i < Q8_0_BLOCK; i++)
      quants[b * Q8_0_BLOCK + i] = Math.round(values[b * Q8_0_BLOCK + i]! * id);
  }
  return out;
}

/**
 * Repacks GGUF Q8_0 blocks (34 bytes each: f16 scale then 32 int8) into the
 * GPU layout of {@link quantizeQ8_0}, whose 4-byte alignment lets WGSL read
 * the quants as whole `u32` words.
 */
export function q8_0FromGguf(blocks: Uint8Array): Uint8Array {
  const BLOCK_BYTES = 2 + Q8_0_BLOCK;
  if (blocks.length % BLOCK_BYTES !== 0)
    throw new Error(`Q8_0 data must be a multiple of 34 bytes (got ${blocks.length})`);
  const numBlocks = blocks.length / BLOCK_BYTES;
  const n = numBlocks * Q8_0_BLOCK;
  const out = new Uint8Array(byteSize('q8_0', n));
  for (let b = 0; b < numBlocks; b++) {
    const src = b * BLOCK_BYTES;
    out[n + 2 * b] = blocks[src]!;
    out[n + 2 * b + 1] = blocks[src + 1]!;
    out.set(blocks.subarray(src + 2, src + BLOCK_BYTES), b * Q8_0_BLOCK);
  }
  return out;
}

/** Dequantises the GPU Q8_0 layout back to floats (the CPU reference's view of the weights). */
export function dequantizeQ8_0(data: Uint8Array): Float64Array {
  const n = (data.length * Q8_0_BLOCK) / (Q8_0_BLOCK + 2);
  const quants = new Int8Array(data.buffer, data.byteOffset, n);
  const out = new Float64Array(n);
  for (let b = 0; b < n / Q8_0_BLOCK; b++) {
    const d = f16BitsToF32(data[n + 2 * b]! | (data[n + 2 * b + 1]! << 8));
    for (let i = 0; i < Q8_0_BLOCK; i++) out[b * Q8_0_BLOCK + i] = d * quants[b * Q8_0_BLOCK + i]!;
  }
  return out;
}
