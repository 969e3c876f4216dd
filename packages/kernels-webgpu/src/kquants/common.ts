/**
 * Pieces shared by ggml's K-quant formats: the super-block size, f32
 * arithmetic helpers, the scale searches of ggml's reference quantisers
 * (`make_qkx2_quants`, `make_qx_quants`) and the 6-bit scale/min packing of
 * Q4_K and Q5_K (`get_scale_min_k4`).
 * @module
 */
import { f16BitsToF32, f32ToF16Bits, QK_K } from '../dtype.js';

export { QK_K };

/** f32 rounding: the quantisers repeat ggml's float arithmetic step by step. */
export const f = Math.fround;

/** ggml's `nearest_int`: round to nearest, ties to even (the 1.5·2^23 trick in f32). */
export function nearestInt(x: number): number {
  return f(f(x) + 12582912) - 12582912;
}

/** Reads the little-endian f16 at byte `i` as a number. */
export function f16At(bytes: Uint8Array, i: number): number {
  return f16BitsToF32(bytes[i]! | (bytes[i + 1]! << 8));
}

/** Writes `value` rounded to f16 at byte `i` and returns the stored value. */
export function putF16(bytes: Uint8Array, i: number, value: number): number {
  const h = f32ToF16Bits(value);
  bytes[i] = h & 0xff;
  bytes[i + 1] = h >> 8;
  return f16BitsToF32(h);
}

/** Checks a block count and returns the number of blocks. */
export function blockCount(bytes: number, blockBytes: number, type: string): number {
  if (bytes % blockBytes !== 0)
    throw new Error(`${type} data must be a multiple of ${blockBytes} bytes (got ${bytes})`);
  return bytes / blockBytes;
}

/** Checks that `n` values fill whole super-blocks. */
export function checkValues(n: number, type: string): void {
  if (n % QK_K !== 0) throw new Error(`${type} needs a multiple of ${QK_K} values (got ${n})`);
}

/**
 * ggml's `make_qkx2_quants`: fits x ≈ scale·L - min with L in [0, nmax] by a
 * weighted least-squares search over nstep+1 trial scales. Writes L; returns
 * the scale and min (min ≥ 0, subtracted).
 */
export function makeQkx2Quants(
  x: Float32Array,
  nmax: number,
  weights: Float32Array,
  L: Uint8Array,
  rmin: number,
  rdelta: number,
  nstep: number,
): { scale: number; min: number } {
  const n = x.length;
  let min = x[0]!;
  let max = x[0]!;
  let sumW = weights[0]!;
  let sumX = f(sumW * x[0]!);
  for (let i = 1; i < n; i++) {
    if (x[i]! < min) min = x[i]!;
    if (x[i]! > max) max = x[i]!;
    sumW = f(sumW + weights[i]!);
    sumX = f(sumX + f(weights[i]! * x[i]!));
  }
  if (min > 0) min = 0;
  if (max === min) {
    L.fill(0);
    return { scale: 0, min: -min };
  }
  let iscale = f(nmax / f(max - min));
  let scale = f(1 / iscale);
  let bestError = 0;
  for (let i = 0; i < n; i++) {
    L[i] = Math.max(0, Math.min(nmax, nearestInt(f(iscale * f(x[i]! - min)))));
    const diff = f(f(f(scale * L[i]!) + min) - x[i]!);
    bestError = f(bestError + f(weights[i]! * f(diff * diff)));
  }
  const aux = new Uint8Array(n);
  for (let is = 0; is <= nstep; is++) {
    iscale = f(f(f(rmin + f(rdelta * is)) + nmax) / f(max - min));
    let sumL = 0;
    let sumL2 = 0;
    let sumXL = 0;
    for (let i = 0; i < n; i++) {
      const l = Math.max(0, Math.min(nmax, nearestInt(f(iscale * f(x[i]! - min)))));
      aux[i] = l;
      const w = weights[i]!;
      sumL = f(sumL + f(w * l));
      sumL2 = f(sumL2 + f(f(w * l) * l));
      sumXL = f(sumXL + f(f(w * l) * x[i]!));
    }
    const D = f(f(sumW * sumL2) - f(sumL * sumL));
    if (D > 0) {
      let thisScale = f(f(f(sumW * sumXL) - f(sumX * sumL)) / D);
      let thisMin = f(f(f(sumL2 * sumX) - f(sumL * sumXL)) / D);
      if (thisMin > 0) {
        thisMin = 0;
        thisScale = f(sumXL / sumL2);
      }
      let error = 0;
      for (let i = 0; i < n; i++) {
        const diff = f(f(f(thisScale * aux[i]!) + thisMin) - x[i]!);
        error = f(error + f(weights[i]! * f(diff * diff)));
      }
      if (error < bestError) {
        L.set(aux);
        bestError = error;
        scale = thisScale;
        min = thisMin;
      }
    }
  }
  return { scale, min: -min };
}

/**
 * ggml's `make_qx_quants` with `rmse_type` 1 and no importance weights: fits
 * x ≈ scale·(L - nmax) with L - nmax in [-nmax, nmax - 1], weighting each
 * value by x², over 19 trial scales. Writes L (offset by nmax); returns scale.
 */
export function makeQxQuants(x: Float32Array, nmax: number, L: Uint8Array): number {
  const n = x.length;
  let max = 0;
  let amax = 0;
  for (let i = 0; i < n; i++) {
    const ax = Math.abs(x[i]!);
    if (ax > amax) [amax, max] = [ax, x[i]!];
  }
  if (amax < 1e-15) {
    L.fill(0);
    return 0;
  }
  const fit = (iscale: number, write: boolean): { sumlx: number; suml2: number } => {
    let sumlx = 0;
    let suml2 = 0;
    for (let i = 0; i < n; i++) {
      const l = Math.max(-nmax, Math.min(nmax - 1, nearestInt(f(iscale * x[i]!))));
      if (write) L[i] = l + nmax;
      const w = f(x[i]! * x[i]!);
      sumlx = f(sumlx + f(f(w * x[i]!) * l));
      suml2 = f(suml2 + f(f(w * l) * l));
    }
    return { sumlx, suml2 };
  };
  const first = fit(f(-nmax / max), true);
  let scale = first.suml2 ? f(first.sumlx / first.suml2) : 0;
  let best = f(scale * first.sumlx);
  for (let is = -9; is <= 9; is++) {
    if (is === 0) continue;
    const iscale = f(f(-f(nmax + f(0.1 * is))) / max);
    const { sumlx, suml2 } = fit(iscale, false);
    if (suml2 > 0 && f(sumlx * sumlx) > f(best * suml2)) {
      fit(iscale, true);
      scale = f(sumlx / suml2);
      best = f(scale * sumlx);
    }
  }
  return scale;
}

/** ggml's `get_scale_min_k4`: the 6-bit scale and min of sub-block j from the 12 packed bytes at `q`. */
export function getScaleMinK4(j: number, bytes: Uint8Array, q: number): [number, number] {
  if (j < 4) return [bytes[q + j]! & 63, bytes[q + j + 4]! & 63];
  return [
    (bytes[q + j + 4]! & 0xf) | ((bytes[q + j - 4]! >> 6) << 4),
    (bytes[q + j + 4]! >> 4) | ((bytes[q + j]! >> 6) << 4),
  ];
}

/** Packs 6-bit scale `ls` and min `lm` of sub-block j into the 12 bytes at `q` (the inverse of {@link getScaleMinK4}). */
export function putScaleMinK4(j: number, ls: number, lm: number, bytes: Uint8Array, q: number): void {
  if (j < 4) {
    bytes[q + j] = ls;
    bytes[q + j + 4] = lm;
  } else {
    bytes[q + j + 4] = (ls & 0xf) | ((lm & 0xf) << 4);
    bytes[q + j - 4]! |= (ls >> 4) << 6;
    bytes[q + j]! |= (lm >> 4) << 6;
  }
}
