/**
 * Tensor encodings: GGUF's on-disk block formats (F32, F16, Q8_0, Q4_0, Q4_K,
 * Q5_K, Q6_K) to the kernels' GPU layouts, back to floats, and quantisers for
 * writing them. Host byte order is assumed little-endian, like every GGUF
 * file we accept.
 * @module
 */
import {
  dequantizeKQuant,
  f16BitsToF32,
  f32ToF16Bits,
  kQuantFromGguf,
  Q8_0_BLOCK,
  q8_0FromGguf,
  quantizeKQuant,
  quantizeQ8_0,
  type KQuantDType,
} from '@x/kernels-webgpu';
import type { GgmlType } from './gguf-format.js';

/** Element types the kernels take for weights. */
export type WeightDType = 'f32' | 'f16' | 'q8_0' | KQuantDType;

const K_QUANTS: Readonly<Partial<Record<GgmlType, KQuantDType>>> = {
  Q4_K: 'q4_k',
  Q5_K: 'q5_k',
  Q6_K: 'q6_k',
};

const Q8_BLOCK_BYTES = 2 + Q8_0_BLOCK;
const Q4_BLOCK_BYTES = 2 + Q8_0_BLOCK / 2;

function u16At(bytes: Uint8Array, i: number): number {
  return bytes[i]! | (bytes[i + 1]! << 8);
}

/** `bytes`, or a copy of them when their offset is not a multiple of `align` (typed-array views need it). */
function aligned(bytes: Uint8Array, align: number): Uint8Array {
  return bytes.byteOffset % align === 0 ? bytes : bytes.slice();
}

function checkBlocks(bytes: Uint8Array, blockBytes: number, type: string): number {
  if (bytes.length % blockBytes !== 0)
    throw new Error(`${type} data must be a multiple of ${blockBytes} bytes (got ${bytes.length})`);
  return bytes.length / blockBytes;
}

/**
 * Repacks GGUF Q4_0 blocks (f16 scale d, then 16 bytes: element j in the low
 * nibble of byte j, element j+16 in the high nibble, value (q-8)·d) into GGUF
 * Q8_0 blocks. Exact: the int8 quant q-8 with the same scale d is the same value.
 */
export function q4_0ToQ8_0(blocks: Uint8Array): Uint8Array {
  const n = checkBlocks(blocks, Q4_BLOCK_BYTES, 'Q4_0');
  const out = new Uint8Array(n * Q8_BLOCK_BYTES);
  const q8 = new Int8Array(out.buffer);
  for (let b = 0; b < n; b++) {
    const src = b * Q4_BLOCK_BYTES;
    const dst = b * Q8_BLOCK_BYTES;
    out[dst] = blocks[src]!;
    out[dst + 1] = blocks[src + 1]!;
    for (let j = 0; j < 16; j++) {
      const byte = blocks[src + 2 + j]!;
      q8[dst + 2 + j] = (byte & 0x0f) - 8;
      q8[dst + 2 + j + 16] = (byte >> 4) - 8;
    }
  }
  return out;
}

/**
 * Converts a tensor's GGUF bytes to the kernels' GPU layout: F32 and F16 are
 * used as they are (no copy), Q8_0 goes through `q8_0FromGguf`, the K-quants
 * through `kQuantFromGguf` (same size and bits, each 32-value chunk's bits
 * contiguous; the kernels decode them), Q4_0 is repacked exactly to Q8_0 first.
 */
export function toGpuLayout(type: GgmlType, raw: Uint8Array): { dtype: WeightDType; data: Uint8Array } {
  switch (type) {
    case 'F32':
      return { dtype: 'f32', data: raw };
    case 'F16':
      return { dtype: 'f16', data: raw };
    case 'Q8_0':
      return { dtype: 'q8_0', data: q8_0FromGguf(raw) };
    case 'Q4_0':
      return { dtype: 'q8_0', data: q8_0FromGguf(q4_0ToQ8_0(raw)) };
    case 'Q4_K':
    case 'Q5_K':
    case 'Q6_K': {
      const dtype = K_QUANTS[type]!;
      return { dtype, data: kQuantFromGguf(dtype, raw) };
    }
  }
}

/** Decodes a tensor's GGUF bytes to floats (for norms, biases, tests and CPU references). */
export function decodeGgml(type: GgmlType, raw: Uint8Array): Float32Array {
  switch (type) {
    case 'F32': {
      const a = aligned(raw, 4);
      return new Float32Array(a.buffer, a.byteOffset, a.length / 4).slice();
    }
    case 'F16': {
      const out = new Float32Array(raw.length / 2);
      for (let i = 0; i < out.length; i++) out[i] = f16BitsToF32(u16At(raw, 2 * i));
      return out;
    }
    case 'Q8_0':
      return decodeBlocks(raw, Q8_BLOCK_BYTES, 'Q8_0', (src, j) => (raw[src + 2 + j]! << 24) >> 24);
    case 'Q4_0':
      return decodeBlocks(raw, Q4_BLOCK_BYTES, 'Q4_0', (src, j) =>
        j < 16 ? (raw[src + 2 + j]! & 0x0f) - 8 : (raw[src + 2 + j - 16]! >> 4) - 8,
      );
    case 'Q4_K':
    case 'Q5_K':
    case 'Q6_K':
      return Float32Array.from(dequantizeKQuant(K_QUANTS[type]!, raw));
  }
}

function decodeBlocks(
  raw: Uint8Array,
  blockBytes: number,
  type: string,
  quant: (src: number, j: number) => number,
): Float32Array {
  const n = checkBlocks(raw, blockBytes, type);
  const out = new Float32Array(n * Q8_0_BLOCK);
  for (let b = 0; b < n; b++) {
    const src = b * blockBytes;
    const d = f16BitsToF32(u16At(raw, src));
    for (let j = 0; j < Q8_0_BLOCK; j++) out[b * Q8_0_BLOCK + j] = d * quant(src, j);
  }
  return out;
}

/** Encodes floats in a GGUF tensor type (the inverse of {@link decodeGgml}, rounding as ggml's reference quantisers do). */
export function encodeGgml(type: GgmlType, values: Float32Array): Uint8Array {
  switch (type) {
    case 'F32':
      return new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength));
    case 'F16': {
      const out = new Uint8Array(values.length * 2);
      for (let i = 0; i < values.length; i++) {
        const h = f32ToF16Bits(values[i]!);
        out[2 * i] = h & 0xff;
        out[2 * i + 1] = h >> 8;
      }
      return out;
    }
    case 'Q8_0':
      return q8_0ToGguf(quantizeQ8_0(values));
    case 'Q4_0':
      return quantizeQ4_0(values);
    case 'Q4_K':
    case 'Q5_K':
    case 'Q6_K':
      return quantizeKQuant(K_QUANTS[type]!, values);
  }
}

/** GPU Q8_0 layout (all quants, then all scales) back to GGUF's interleaved 34-byte blocks. */
function q8_0ToGguf(gpu: Uint8Array): Uint8Array {
  const n = (gpu.length / Q8_BLOCK_BYTES) * Q8_0_BLOCK;
  const out = new Uint8Array(gpu.length);
  for (let b = 0; b < n / Q8_0_BLOCK; b++) {
    out[b * Q8_BLOCK_BYTES] = gpu[n + 2 * b]!;
    out[b * Q8_BLOCK_BYTES + 1] = gpu[n + 2 * b + 1]!;
    out.set(gpu.subarray(b * Q8_0_BLOCK, (b + 1) * Q8_0_BLOCK), b * Q8_BLOCK_BYTES + 2);
  }
  return out;
}

/** ggml's reference Q4_0: d = (the signed value of largest magnitude) / -8, q = min(15, floor(x/d + 8.5)). */
function quantizeQ4_0(values: Float32Array): Uint8Array {
  if (values.length % Q8_0_BLOCK !== 0)
    throw new Error(`Q4_0 needs a multiple of 32 values (got ${values.length})`);
  const out = new Uint8Array((values.length / Q8_0_BLOCK) * Q4_BLOCK_BYTES);
  const x = new Float32Array(Q8_0_BLOCK);
  for (let b = 0; b < values.length / Q8_0_BLOCK; b++) {
    x.set(values.subarray(b * Q8_0_BLOCK, (b + 1) * Q8_0_BLOCK));
    let max = 0;
    for (const v of x) if (Math.abs(v) > Math.abs(max)) max = v;
    const d = Math.fround(max / -8);
    const id = d ? Math.fround(1 / d) : 0;
    const h = f32ToF16Bits(d);
    const dst = b * Q4_BLOCK_BYTES;
    out[dst] = h & 0xff;
    out[dst + 1] = h >> 8;
    for (let j = 0; j < 16; j++) {
      const lo = Math.min(15, Math.floor(Math.fround(x[j]! * id) + 8.5));
      const hi = Math.min(15, Math.floor(Math.fround(x[j + 16]! * id) + 8.5));
      out[dst + 2 + j] = lo | (hi << 4);
    }
  }
  return out;
}
