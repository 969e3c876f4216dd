/**
 * ggml's Q6_K: 256-value super-blocks of sixteen 16-value sub-blocks, each
 * value d·sc_j·(q - 32) with an int8 sc_j and a 6-bit q. Block layout
 * (`block_q6_K`, ggml-common.h), 210 bytes:
 *
 *     ql[128] | qh[64] | scales[16] int8 | d f16
 *
 * Value v = 128·h + 32·g + l (h < 2, g < 4, l < 32) takes the low 4 bits
 * from ql[64·h + 32·(g&1) + l] (low nibble for g < 2, high for g ≥ 2), bits
 * 4–5 from qh[32·h + l] >> 2g, and scale sc[v / 16].
 *
 * 210 is not a multiple of 4, so blocks in a file start at any even byte
 * while WGSL reads whole u32 words. The GPU layout repacks them with the same
 * bits: every block's first 208 bytes (ql, qh, scales: 13 16-byte vectors,
 * so every field is vector-aligned), then every block's d, two per u32.
 * @module
 */
import { blockCount, checkValues, f, f16At, makeQxQuants, nearestInt, putF16, QK_K } from './common.js';
import { K_QUANT_BLOCK_BYTES } from '../dtype.js';

const Q6_K_BLOCK_BYTES = K_QUANT_BLOCK_BYTES.q6_k;

/** Quantises values to GGUF Q6_K blocks as ggml's `quantize_row_q6_K_ref` does. */
export function quantizeQ6_K(values: ArrayLike<number>): Uint8Array {
  checkValues(values.length, 'Q6_K');
  const nb = values.length / QK_K;
  const out = new Uint8Array(nb * Q6_K_BLOCK_BYTES);
  const x = new Float32Array(QK_K);
  const L = new Uint8Array(QK_K);
  const scales = new Float32Array(16);
  for (let i = 0; i < nb; i++) {
    for (let j = 0; j < QK_K; j++) x[j] = values[i * QK_K + j]!;
    let maxScale = 0;
    let maxAbsScale = 0;
    for (let j = 0; j < 16; j++) {
      scales[j] = makeQxQuants(x.subarray(16 * j, 16 * j + 16), 32, L.subarray(16 * j, 16 * j + 16));
      if (Math.abs(scales[j]!) > maxAbsScale) [maxAbsScale, maxScale] = [Math.abs(scales[j]!), scales[j]!];
    }
    const o = i * Q6_K_BLOCK_BYTES;
    if (maxAbsScale < 1e-15) continue; // an all-zero block: d = 0 and zero bytes
    const iscale = f(-128 / maxScale);
    const d = putF16(out, o + 208, f(1 / iscale));
    const sc = new Int8Array(out.buffer, out.byteOffset + o + 192, 16);
    for (let j = 0; j < 16; j++) sc[j] = Math.min(127, nearestInt(f(iscale * scales[j]!)));
    for (let j = 0; j < 16; j++) {
      const dj = f(d * sc[j]!);
      if (!dj) continue;
      for (let l = 0; l < 16; l++)
        L[16 * j + l] = Math.max(-32, Math.min(31, nearestInt(f(x[16 * j + l]! / dj)))) + 32;
    }
    for (let h = 0; h < 2; h++) {
      for (let l = 0; l < 32; l++) {
        const q = [0, 1, 2, 3].map((g) => L[128 * h + 32 * g + l]!);
        out[o + 64 * h + l] = (q[0]! & 0xf) | ((q[2]! & 0xf) << 4);
        out[o + 64 * h + 32 + l] = (q[1]! & 0xf) | ((q[3]! & 0xf) << 4);
        out[o + 128 + 32 * h + l] =
          (q[0]! >> 4) | ((q[1]! >> 4) << 2) | ((q[2]! >> 4) << 4) | ((q[3]! >> 4) << 6);
      }
    }
  }
  return out;
}

/** Decodes GGUF Q6_K blocks (ggml's `dequantize_row_q6_K`) in float64. */
export function dequantizeQ6_K(blocks: Uint8Array): Float64Array {
  const nb = blockCount(blocks.length, Q6_K_BLOCK_BYTES, 'Q6_K');
  const out = new Float64Array(nb * QK_K);
  for (let i = 0; i < nb; i++) {
    const o = i * Q6_K_BLOCK_BYTES;
    const d = f16At(blocks, o + 208);
    for (let v = 0; v < QK_K; v++) {
      const [h, g, l] = [v >> 7, (v >> 5) & 3, v & 31];
      const lo = (blocks[o + 64 * h + 32 * (g & 1) + l]! >> (4 * (g >> 1))) & 0xf;
      const hi = (blocks[o + 128 + 32 * h + l]! >> (2 * g)) & 3;
      const sc = (blocks[o + 192 + (v >> 4)]! << 24) >> 24;
      out[i * QK_K + v] = d * sc * ((lo | (hi << 4)) - 32);
    }
  }
  return out;
}
