/**
 * ggml's K-quant weight formats: reference quantisers, float64 decoders and
 * the GPU layouts the matmul and embedding kernels read.
 * @module
 */
import type { KQuantDType } from '../dtype.js';
import { dequantizeQ4_K, dequantizeQ5_K, quantizeQ4_K, quantizeQ5_K } from './q4-k-q5-k.js';
import { dequantizeQ6_K, q6_kFromGguf, q6_kToGguf, quantizeQ6_K } from './q6-k.js';

export { dequantizeQ4_K, dequantizeQ5_K, quantizeQ4_K, quantizeQ5_K } from './q4-k-q5-k.js';
export { dequantizeQ6_K, q6_kFromGguf, q6_kToGguf, quantizeQ6_K } from './q6-k.js';

/** Quantises values to GGUF blocks of `dtype` (ggml's `quantize_row_*_ref`). */
export function quantizeKQuant(dtype: KQuantDType, values: ArrayLike<number>): Uint8Array {
  return { q4_k: quantizeQ4_K, q5_k: quantizeQ5_K, q6_k: quantizeQ6_K }[dtype](values);
}

/** Decodes GGUF blocks of `dtype` in float64. */
export function dequantizeKQuant(dtype: KQuantDType, blocks: Uint8Array): Float64Array {
  return { q4_k: dequantizeQ4_K, q5_k: dequantizeQ5_K, q6_k: dequantizeQ6_K }[dtype](blocks);
}

/**
 * GGUF blocks of `dtype` in the GPU layout: Q4_K and Q5_K blocks are whole
 * 16-byte vectors and stay as they are (no copy); Q6_K is repacked (q6-k.ts).
 */
export function kQuantFromGguf(dtype: KQuantDType, blocks: Uint8Array): Uint8Array {
  return dtype === 'q6_k' ? q6_kFromGguf(blocks) : blocks;
}

/** The inverse of {@link kQuantFromGguf}. */
export function kQuantToGguf(dtype: KQuantDType, gpu: Uint8Array): Uint8Array {
  return dtype === 'q6_k' ? q6_kToGguf(gpu) : gpu;
}
