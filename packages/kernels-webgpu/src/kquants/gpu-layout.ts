/**
 * The GPU layout of K-quant tensors: the same bits as ggml's blocks, with
 * each 32-value chunk's quant bits made contiguous and 16-byte aligned.
 *
 * In ggml's blocks a chunk's low nibbles share bytes with another chunk's
 * (Q4_K/Q5_K sub-blocks 2p and 2p+1; Q6_K groups g and g+2) and its high
 * bits spread over 32 bytes of qh, so decoding 32 values took 3 (Q4_K) to 6
 * (Q6_K) 16-byte loads; on lavapipe each costs as much as decoding several
 * values. Here they take 2 (Q4_K), 3 (Q5_K) and 4 (Q6_K). Per chunk s of a
 * block (values 32s..32s+31, quant q_v):
 *
 * - lo, 16 bytes: byte l holds q_l & 15 (low nibble) and q_{l+16} & 15;
 * - Q5_K hi, one u32: bit 8j + i is bit 4 of q_{4i+j};
 * - Q6_K hi, two u32: word i >> 2, bits 8j + 2(i & 3), hold bits 4-5 of q_{4i+j}.
 *
 * Blocks, in order (sizes as in the file: 144, 176, 210 bytes):
 *
 *     Q4_K: d, dmin, scales[12] | lo × 8
 *     Q5_K: d, dmin, scales[12] | lo × 8 | hi × 8
 *     Q6_K: lo × 8 | hi × 8 | scales[16]; then every block's f16 d, after all blocks
 *
 * (Q6_K's 210 bytes are not a multiple of 4: its d's go last so that its
 * blocks stay 16-byte aligned.) kquants.wgsl decodes this layout.
 * @module
 */
import { K_QUANT_BLOCK_BYTES, QK_K, type KQuantDType } from '../dtype.js';
import { blockCount } from './common.js';

/** Bytes of a block before the GPU layout's trailing d region (Q6_K), or the whole block. */
const BODY: Readonly<Record<KQuantDType, number>> = { q4_k: 144, q5_k: 176, q6_k: 208 };

/** GGUF blocks of `dtype` in the GPU layout (same size). */
export function kQuantFromGguf(dtype: KQuantDType, blocks: Uint8Array): Uint8Array {
  return convert(dtype, blocks, true);
}

/** The inverse of {@link kQuantFromGguf}. */
export function kQuantToGguf(dtype: KQuantDType, gpu: Uint8Array): Uint8Array {
  return convert(dtype, gpu, false);
}

function convert(dtype: KQuantDType, src: Uint8Array, toGpu: boolean): Uint8Array {
  const blockBytes = K_QUANT_BLOCK_BYTES[dtype];
  const nb = blockCount(src.length, blockBytes, dtype.toUpperCase());
  const out = new Uint8Array(src.length);
  const q = new Uint8Array(QK_K);
  const body = BODY[dtype];
  for (let b = 0; b < nb; b++) {
    const file = b * blockBytes;
    const gpu = b * body;
    if (toGpu) readGguf(dtype, src, file, q);
    else readGpu(dtype, src, gpu, q);
    // The scale fields: Q4_K/Q5_K's first 16 bytes, Q6_K's scales and d.
    if (dtype === 'q6_k') {
      const [from, to] = toGpu ? [file, gpu] : [gpu, file];
      out.set(src.subarray(from + 192, from + 208), to + 192);
      const [dFrom, dTo] = toGpu ? [file + 208, nb * body + 2 * b] : [nb * body + 2 * b, file + 208];
      out[dTo] = src[dFrom]!;
      out[dTo + 1] = src[dFrom + 1]!;
    } else {
      out.set(src.subarray(file, file + 16), file);
    }
    if (toGpu) writeGpu(dtype, out, gpu, q);
    else writeGguf(dtype, out, file, q);
  }
  return out;
}

/** The quants of the GGUF block at `o` (ggml's dequantize_row_* bit positions). */
function readGguf(dtype: KQuantDType, src: Uint8Array, o: number, q: Uint8Array): void {
  for (let v = 0; v < QK_K; v++) {
    if (dtype === 'q6_k') {
      const [h, g, l] = [v >> 7, (v >> 5) & 3, v & 31];
      const lo = (src[o + 64 * h + 32 * (g & 1) + l]! >> (4 * (g >> 1))) & 0xf;
      q[v] = lo | (((src[o + 128 + 32 * h + l]! >> (2 * g)) & 3) << 4);
    } else {
      const [j, l] = [v >> 5, v & 31];
      const qs = dtype === 'q5_k' ? o + 48 : o + 16;
      q[v] = (src[qs + 16 * (j & ~1) + l]! >> (4 * (j & 1))) & 0xf;
      if (dtype === 'q5_k') q[v]! |= ((src[o + 16 + l]! >> j) & 1) << 4;
    }
  }
}

/** Writes quants into the GGUF block at `o` (the inverse of {@link readGguf}). */
function writeGguf(dtype: KQuantDType, out: Uint8Array, o: number, q: Uint8Array): void {
  for (let v = 0; v < QK_K; v++) {
    if (dtype === 'q6_k') {
      const [h, g, l] = [v >> 7, (v >> 5) & 3, v & 31];
      out[o + 64 * h + 32 * (g & 1) + l]! |= (q[v]! & 0xf) << (4 * (g >> 1));
      out[o + 128 + 32 * h + l]! |= (q[v]! >> 4) << (2 * g);
    } else {
      const [j, l] = [v >> 5, v & 31];
      const qs = dtype === 'q5_k' ? o + 48 : o + 16;
      out[qs + 16 * (j & ~1) + l]! |= (q[v]! & 0xf) << (4 * (j & 1));
      if (dtype === 'q5_k') out[o + 16 + l]! |= (q[v]! >> 4) << j;
    }
  }
}

/** Where a GPU block's chunk fields start, relative to its body: lo, and Q5_K/Q6_K hi. */
function gpuFields(dtype: KQuantDType): { lo: number; hi: number } {
  return dtype === 'q6_k' ? { lo: 0, hi: 128 } : { lo: 16, hi: 144 };
}

/** The quants of the GPU block whose body starts at `o`. */
function readGpu(dtype: KQuantDType, src: Uint8Array, o: number, q: Uint8Array): void {
  const { lo, hi } = gpuFields(dtype);
  for (let v = 0; v < QK_K; v++) {
    const [s, c] = [v >> 5, v & 31];
    q[v] = (src[o + lo + 16 * s + (c & 15)]! >> (4 * (c >> 4))) & 0xf;
    const [i, j] = [c >> 2, c & 3];
    if (dtype === 'q5_k') q[v]! |= ((src[o + hi + 4 * s + j]! >> i) & 1) << 4;
    if (dtype === 'q6_k') q[v]! |= ((src[o + hi + 8 * s + 4 * (i >> 2) + j]! >> (2 * (i & 3))) & 3) << 4;
  }
}

/** Writes quants into the GPU block whose body starts at `o` (the inverse of {@link readGpu}). */
function writeGpu(dtype: KQuantDType, out: Uint8Array, o: number, q: Uint8Array): void {
  const { lo, hi } = gpuFields(dtype);
  for (let v = 0; v < QK_K; v++) {
    const [s, c] = [v >> 5, v & 31];
    out[o + lo + 16 * s + (c & 15)]! |= (q[v]! & 0xf) << (4 * (c >> 4));
    const [i, j] = [c >> 2, c & 3];
    if (dtype === 'q5_k') out[o + hi + 4 * s + j]! |= (q[v]! >> 4) << i;
    if (dtype === 'q6_k') out[o + hi + 8 * s + 4 * (i >> 2) + j]! |= (q[v]! >> 4) << (2 * (i & 3));
  }
}
