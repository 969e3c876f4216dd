/**
 * Shape checks and the flat thread grid shared by the element-wise kernels.
 * @module
 */
import type { DType } from '../dtype.js';
import type { GpuTensor } from '../tensor.js';
import { grid2d } from './grid.js';

/** A dimension {@link dimsOf} does not check. */
export const ANY = undefined;

/**
 * The shape of `t` after checking its dtype and its shape against `expected`
 * (a rank, or dimensions where {@link ANY} matches anything), so a kernel
 * fails at record time with a readable message rather than reading out of
 * bounds (robustness is off).
 */
export function dimsOf(
  t: GpuTensor,
  name: string,
  dtypes: readonly DType[],
  expected: number | readonly (number | undefined)[],
): number[] {
  if (!dtypes.includes(t.dtype))
    throw new Error(`${name}: dtype ${t.dtype}, expected ${dtypes.join(' or ')}`);
  const dims = typeof expected === 'number' ? Array.from({ length: expected }, () => ANY) : expected;
  if (t.shape.length !== dims.length || dims.some((d, i) => d !== undefined && d !== t.shape[i]))
    throw new Error(`${name}: shape [${t.shape}], expected [${dims.map((d) => d ?? '*')}]`);
  return [...t.shape];
}

/**
 * Workgroups for `threads` invocations in groups of `workgroup`, as a 2-D
 * grid; shaders rebuild the flat index as `gid.y * groups_x * WG + gid.x`.
 */
export function flatGrid(threads: number, workgroup: number): { x: number; y: number } {
  return grid2d(Math.ceil(threads / workgroup));
}
