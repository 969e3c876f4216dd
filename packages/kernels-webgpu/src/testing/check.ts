/**
 * Output poisoning and element-wise comparison against a float64 reference.
 * @module
 */
import type { Gpu } from '../gpu.js';
import { alignTo, type GpuTensor } from '../tensor.js';

/** The bit pattern written over outputs before a run: a NaN in f32, -1 in i32. */
export const POISON_WORD = 0xffffffff;

/** Fills a tensor's bytes with {@link POISON_WORD} so an element a kernel fails to write is caught. */
export function poison(gpu: Gpu, tensor: GpuTensor): void {
  const words = new Uint32Array(alignTo(tensor.byteLength, 4) / 4).fill(POISON_WORD);
  gpu.device.queue.writeBuffer(tensor.buffer, tensor.offset, words);
}

/** Tolerance: an element passes when |actual - expected| <= atol + rtol * |expected|. */
export interface Tolerance {
  readonly rtol: number;
  readonly atol: number;
}

/** The worst element of a comparison, for a useful failure message. */
export interface Mismatch {
  readonly index: number;
  readonly actual: number;
  readonly expected: number;
  readonly count: number;
}

/**
 * Compares every element; returns undefined when all pass, else the worst
 * offender and how many failed. NaN (e.g. a poisoned element) always fails.
 */
export function compare(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: Tolerance,
): Mismatch | undefined {
  if (actual.length !== expected.length) {
    return { index: -1, actual: actual.length, expected: expected.length, count: Infinity };
  }
  let worst = -1;
  let worstExcess = -Infinity;
  let count = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    const excess = Math.abs(a - e) - (tol.atol + tol.rtol * Math.abs(e));
    if (!(excess <= 0)) {
      count++;
      const rank = Number.isNaN(excess) ? Infinity : excess;
      if (rank > worstExcess) [worst, worstExcess] = [i, rank];
    }
  }
  return count ? { index: worst, actual: actual[worst]!, expected: expected[worst]!, count } : undefined;
}

/** Throws with the worst mismatch when {@link compare} finds one. */
export function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: Tolerance,
  what = 'output',
): void {
  const m = compare(actual, expected, tol);
  if (m) {
    throw new Error(
      `${what}: ${m.count} of ${expected.length} elements out of tolerance (rtol ${tol.rtol}, atol ${tol.atol}); ` +
        `worst at ${m.index}: got ${m.actual}, want ${m.expected}`,
    );
  }
}
