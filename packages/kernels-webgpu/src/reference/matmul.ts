/**
 * float64 reference for {@link MatmulKernel}, and the host-side weight
 * encodings it is checked with.
 * @module
 */
import { fromF16, quantizeQ8_0, dequantizeQ8_0, toF16 } from '../dtype.js';
import { dequantizeKQuant, kQuantFromGguf, quantizeKQuant } from '../kquants/index.js';
import type { MatmulWeightDType } from '../kernels/matmul/pipelines.js';

/** Weights encoded for upload, and the values the GPU decodes them to. */
export interface EncodedWeights {
  /** Bytes for {@link uploadTensor} in the dtype's GPU layout. */
  readonly data: Float32Array | Uint16Array | Uint8Array;
  /** The dequantised weights (what the reference multiplies by). */
  readonly values: Float64Array;
}

/**
 * Encodes row-major weights as `dtype` (f16 rounding, Q8_0 quantisation,
 * ggml's reference K-quant quantisers; K-quant rows must be whole super-blocks).
 */
export function encodeWeights(dtype: MatmulWeightDType, values: ArrayLike<number>): EncodedWeights {
  switch (dtype) {
    case 'f32': {
      const data = Float32Array.from(values);
      return { data, values: Float64Array.from(data) };
    }
    case 'f16': {
      const data = toF16(values);
      return { data, values: Float64Array.from(fromF16(data)) };
    }
    case 'q8_0': {
      const data = quantizeQ8_0(values);
      return { data, values: dequantizeQ8_0(data) };
    }
    case 'q4_k':
    case 'q5_k':
    case 'q6_k': {
      const blocks = quantizeKQuant(dtype, values);
      return { data: kQuantFromGguf(dtype, blocks), values: dequantizeKQuant(dtype, blocks) };
    }
  }
}

/** The product and, per element, the sum of |x·w| terms that bounds its rounding error. */
export interface MatmulReference {
  /** y [T, N] = x · wᵀ + bias. */
  readonly y: Float64Array;
  /** Σ_k |x[t, k] · w[n, k]| per element [T, N]. */
  readonly absSum: Float64Array;
}

/**
 * Reference for {@link MatmulKernel.record}: `y[t, n] = Σ_k x[t, k] w[n, k] + bias[n]`
 * over x [T, K] and dequantised w [N, K], in float64.
 */
export function matmulRef(
  x: ArrayLike<number>,
  w: ArrayLike<number>,
  t: number,
  n: number,
  k: number,
  bias?: ArrayLike<number>,
): MatmulReference {
  const y = new Float64Array(t * n);
  const absSum = new Float64Array(t * n);
  for (let i = 0; i < t; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      let a = 0;
      for (let c = 0; c < k; c++) {
        const prod = x[i * k + c]! * w[j * k + c]!;
        s += prod;
        a += Math.abs(prod);
      }
      y[i * n + j] = s + (bias ? bias[j]! : 0);
      absSum[i * n + j] = a;
    }
  }
  return { y, absSum };
}
