/**
 * ggml's K-quant weight formats: reference quantisers, float64 decoders and
 * the GPU layout the matmul and embedding kernels read (gpu-layout.ts).
 * @module
 */
import type { KQuantDType } from '../dtype.js';
import { dequantizeQ4_K, dequantizeQ5_K, quantizeQ4_K, quantizeQ5_K } from './q4-k-q5-k.js';
import { dequantizeQ6_K, quantizeQ6_K } from './q6-k.js';

export { dequantizeQ4_K, dequantizeQ5_K, quantizeQ4_K, quantizeQ5_K } from './q4-k-q5-k.js';
export { dequantizeQ6_K, quantizeQ6_K } from './q6-k.js';
export { kQuantFromGguf, kQuantToGguf } from './gpu-layout.js';

/** Quantises values to GGUF blocks of `dtype` (ggml's `quantize_row_*_ref`). */
export function quantizeKQuant(dtype: KQuantDType, values: ArrayLike<number>): Uint8Array {
  return { q4_k: quantizeQ4_K, q5_k: quantizeQ5_K, q6_k: quantizeQ6_K }[dtype](values);
}

/** Decodes GGUF blocks of `dtype` in float64. */
export function dequantizeKQuant(dtype: KQuantDType, blocks: Uint8Array): Float64Array {
  return { q4_k: dequantizeQ4_K, q5_k: dequantizeQ5_K, q6_k: dequantizeQ6_K }[dtype](blocks);
}
