/**
 * ggml's Q4_K and Q5_K: 256-value super-blocks of eight 32-value sub-blocks,
 * each value d·sc_j·q - dmin·m_j with 6-bit sc_j, m_j and a 4-bit (Q4_K) or
 * 5-bit (Q5_K) q. Block layouts (`block_q4_K`, `block_q5_K`, ggml-common.h):
 *
 *     Q4_K, 144 bytes: d f16 | dmin f16 | scales[12] | qs[128]
 *     Q5_K, 176 bytes: d f16 | dmin f16 | scales[12] | qh[32] | qs[128]
 *
 * Sub-block j reads byte qs[32·(j>>1) + l] (low nibble for even j, high for
 * odd) and, in Q5_K, bit j of qh[l] as the fifth bit. (The GPU layout is
 * in gpu-layout.ts.)
 * @module
 */
import {
  blockCount,
  checkValues,
  f,
  f16At,
  getScaleMinK4,
  makeQkx2Quants,
  nearestInt,
  putF16,
  putScaleMinK4,
  QK_K,
} from './common.js';
import { K_QUANT_BLOCK_BYTES } from '../dtype.js';

interface Format {
  readonly name: string;
  readonly blockBytes: number;
  /** Largest quant: 15 (Q4_K) or 31 (Q5_K). */
  readonly nmax: number;
  /** The trial-scale search of ggml's reference quantiser: rmin, rdelta, nstep. */
  readonly search: readonly [number, number, number];
}

const Q4_K: Format = { name: 'Q4_K', blockBytes: K_QUANT_BLOCK_BYTES.q4_k, nmax: 15, search: [-1, 0.1, 20] };
const Q5_K: Format = {
  name: 'Q5_K',
  blockBytes: K_QUANT_BLOCK_BYTES.q5_k,
  nmax: 31,
  search: [-0.5, 0.1, 15],
};

/** Quantises values to GGUF Q4_K blocks as ggml's `quantize_row_q4_K_ref` does. */
export function quantizeQ4_K(values: ArrayLike<number>): Uint8Array {
  return quantize(Q4_K, values);
}

/** Quantises values to GGUF Q5_K blocks as ggml's `quantize_row_q5_K_ref` does. */
export function quantizeQ5_K(values: ArrayLike<number>): Uint8Array {
  return quantize(Q5_K, values);
}

/** Decodes GGUF Q4_K blocks (ggml's `dequantize_row_q4_K`) in float64. */
export function dequantizeQ4_K(blocks: Uint8Array): Float64Array {
  return dequantize(Q4_K, blocks);
}

/** Decodes GGUF Q5_K blocks (ggml's `dequantize_row_q5_K`) in float64. */
export function dequantizeQ5_K(blocks: Uint8Array): Float64Array {
  return dequantize(Q5_K, blocks);
}

function quantize(fmt: Format, values: ArrayLike<number>): Uint8Array {
  checkValues(values.length, fmt.name);
  const nb = values.length / QK_K;
  const out = new Uint8Array(nb * fmt.blockBytes);
  const x = new Float32Array(QK_K);
  const L = new Uint8Array(QK_K);
  const weights = new Float32Array(32);
  const scales = new Float32Array(8);
  const mins = new Float32Array(8);
  const [rmin, rdelta, nstep] = fmt.search;
  for (let i = 0; i < nb; i++) {
    for (let j = 0; j < QK_K; j++) x[j] = values[i * QK_K + j]!;
    let maxScale = 0;
    let maxMin = 0;
    for (let j = 0; j < 8; j++) {
      const xs = x.subarray(32 * j, 32 * j + 32);
      let sumX2 = 0;
      for (const v of xs) sumX2 = f(sumX2 + f(v * v));
      const avX = f(Math.sqrt(f(sumX2 / 32)));
      for (let l = 0; l < 32; l++) weights[l] = f(avX + Math.abs(xs[l]!));
      const fit = makeQkx2Quants(xs, fmt.nmax, weights, L.subarray(32 * j, 32 * j + 32), rmin, rdelta, nstep);
      scales[j] = fit.scale;
      mins[j] = fit.min;
      maxScale = Math.max(maxScale, scales[j]!);
      maxMin = Math.max(maxMin, mins[j]!);
    }
    const o = i * fmt.blockBytes;
    const invScale = maxScale > 0 ? f(63 / maxScale) : 0;
    const invMin = maxMin > 0 ? f(63 / maxMin) : 0;
    for (let j = 0; j < 8; j++) {
      const ls = Math.min(63, nearestInt(f(invScale * scales[j]!)) & 0xff);
      const lm = Math.min(63, nearestInt(f(invMin * mins[j]!)) & 0xff);
      putScaleMinK4(j, ls, lm, out, o + 4);
    }
    const d = putF16(out, o, f(maxScale / 63));
    const dmin = putF16(out, o + 2, f(maxMin / 63));
    for (let j = 0; j < 8; j++) {
      const [sc, m] = getScaleMinK4(j, out, o + 4);
      const dj = f(d * sc);
      if (!dj) continue;
      const dm = f(dmin * m);
      for (let l = 0; l < 32; l++)
        L[32 * j + l] = Math.max(0, Math.min(fmt.nmax, nearestInt(f(f(x[32 * j + l]! + dm) / dj))));
    }
    packQuants(fmt, L, out, o);
  }
  return out;
}

/** Writes the quants L[256] of one block: nibbles into qs, fifth bits (Q5_K) into qh. */
function packQuants(fmt: Format, L: Uint8Array, out: Uint8Array, o: number): void {
  const qh = o + 16;
  const qs = fmt.nmax === 31 ? o + 48 : o + 16;
  for (let j = 0; j < 8; j += 2) {
    for (let l = 0; l < 32; l++) {
      const lo = L[32 * j + l]!;
      const hi = L[32 * j + 32 + l]!;
      out[qs + 16 * j + l] = (lo & 0xf) | ((hi & 0xf) << 4);
      if (fmt.nmax === 31) out[qh + l]! |= ((lo >> 4) << j) | ((hi >> 4) << (j + 1));
    }
  }
}

function dequantize(fmt: Format, blocks: Uint8Array): Float64Array {
  const nb = blockCount(blocks.length, fmt.blockBytes, fmt.name);
  const out = new Float64Array(nb * QK_K);
  const five = fmt.nmax === 31;
  for (let i = 0; i < nb; i++) {
    const o = i * fmt.blockBytes;
    const d = f16At(blocks, o);
    const dmin = f16At(blocks, o + 2);
    const qs = five ? o + 48 : o + 16;
    for (let j = 0; j < 8; j++) {
      const [sc, m] = getScaleMinK4(j, blocks, o + 4);
      for (let l = 0; l < 32; l++) {
        let q = (blocks[qs + 16 * (j & ~1) + l]! >> (4 * (j & 1))) & 0xf;
        if (five) q |= ((blocks[o + 16 + l]! >> j) & 1) << 4;
        out[i * QK_K + 32 * j + l] = d * sc * q - dmin * m;
      }
    }
  }
  return out;
}
