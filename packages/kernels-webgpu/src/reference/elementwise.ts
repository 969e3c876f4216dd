/**
 * float64 references of the element-wise kernels (embedding, RMSNorm, RoPE,
 * KV-cache write, SwiGLU). Inputs are the values the GPU sees (dequantised
 * weights, f32 activations); every intermediate stays in float64.
 * @module
 */
import type { RopeOptions } from '../kernels/rope.js';

/**
 * Reference for {@link EmbeddingKernel}: rows of `table` ([vocab, dim],
 * dequantised) picked by `ids`; an id outside [0, vocab) gives a zero row.
 */
export function embeddingRef(table: ArrayLike<number>, dim: number, ids: ArrayLike<number>): Float64Array {
  const vocab = table.length / dim;
  const out = new Float64Array(ids.length * dim);
  for (let t = 0; t < ids.length; t++) {
    const id = ids[t]!;
    if (id < 0 || id >= vocab) continue;
    for (let j = 0; j < dim; j++) out[t * dim + j] = table[id * dim + j]!;
  }
  return out;
}

/**
 * Reference for {@link RmsNormKernel.record}: `x[t] / sqrt(mean(x[t]^2) + eps) * weight`
 * for each row of `weight.length` values.
 */
export function rmsNormRef(x: ArrayLike<number>, weight: ArrayLike<number>, eps: number): Float64Array {
  const dim = weight.length;
  const out = new Float64Array(x.length);
  for (let base = 0; base < x.length; base += dim) {
    let ss = 0;
    for (let j = 0; j < dim; j++) ss += x[base + j]! ** 2;
    const scale = 1 / Math.sqrt(ss / dim + eps);
    for (let j = 0; j < dim; j++) out[base + j] = x[base + j]! * scale * weight[j]!;
  }
  return out;
}

/** Reference for {@link RmsNormKernel.recordResidual}: `h + delta` and its RMSNorm. */
export function rmsNormResidualRef(
  h: ArrayLike<number>,
  delta: ArrayLike<number>,
  weight: ArrayLike<number>,
  eps: number,
): { h: Float64Array; out: Float64Array } {
  const sum = new Float64Array(h.length);
  for (let i = 0; i < h.length; i++) sum[i] = h[i]! + delta[i]!;
  return { h: sum, out: rmsNormRef(sum, weight, eps) };
}

/**
 * Reference for {@link RopeKernel} on one tensor `[T, heads, headDim]`:
 * pair i of token t turns by `positions[t] * base^(-2i/ropeDim) / freqFactors[i]` radians.
 * Returns a rotated copy.
 */
export function ropeRef(x: ArrayLike<number>, positions: ArrayLike<number>, o: RopeOptions): Float64Array {
  const ropeDim = o.ropeDim ?? o.headDim;
  const half = ropeDim / 2;
  const out = Float64Array.from(x);
  const heads = x.length / positions.length / o.headDim;
  for (let t = 0; t < positions.length; t++) {
    for (let i = 0; i < half; i++) {
      const angle = (positions[t]! * o.base ** ((-2 * i) / ropeDim)) / (o.freqFactors?.[i] ?? 1);
      const [c, s] = [Math.cos(angle), Math.sin(angle)];
      const [a, b] = o.layout === 'neox' ? [i, i + half] : [2 * i, 2 * i + 1];
      for (let h = 0; h < heads; h++) {
        const base = (t * heads + h) * o.headDim;
        const [x0, x1] = [x[base + a]!, x[base + b]!];
        out[base + a] = x0 * c - x1 * s;
        out[base + b] = x0 * s + x1 * c;
      }
    }
  }
  return out;
}

/**
 * Reference for {@link KvCacheWriteKernel} on one cache
 * `[numBlocks, numKvHeads, blockSize, headDim]`: returns a copy of `cache`
 * with token t of `src` (`[T, numKvHeads, headDim]`) stored at slot
 * `slots[t]` (block `slot / blockSize`, offset `slot % blockSize`); slot -1 is skipped.
 */
export function kvCacheWriteRef(
  cache: ArrayLike<number>,
  src: ArrayLike<number>,
  slots: ArrayLike<number>,
  numKvHeads: number,
  blockSize: number,
  headDim: number,
): Float64Array {
  const out = Float64Array.from(cache);
  for (let t = 0; t < slots.length; t++) {
    const slot = slots[t]!;
    if (slot < 0) continue;
    const [block, offset] = [Math.floor(slot / blockSize), slot % blockSize];
    for (let h = 0; h < numKvHeads; h++) {
      const dst = ((block * numKvHeads + h) * blockSize + offset) * headDim;
      const from = (t * numKvHeads + h) * headDim;
      for (let d = 0; d < headDim; d++) out[dst + d] = src[from + d]!;
    }
  }
  return out;
}

/** Reference for {@link SwiGluKernel}: `silu(gate) * up` with `silu(g) = g / (1 + e^-g)`. */
export function swigluRef(gate: ArrayLike<number>, up: ArrayLike<number>): Float64Array {
  const out = new Float64Array(gate.length);
  for (let i = 0; i < gate.length; i++) out[i] = (gate[i]! / (1 + Math.exp(-gate[i]!))) * up[i]!;
  return out;
}
