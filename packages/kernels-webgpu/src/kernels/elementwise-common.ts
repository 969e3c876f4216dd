/**
 * Helpers shared by the element-wise kernels: shape checks, the row grid,
 * and the WGSL prelude that lets one shader source run on f32 or vec4f.
 * @module
 */
import type { DType } from '../dtype.js';
import type { GpuTensor } from '../tensor.js';
import { MAX_GROUPS_PER_DIM } from './grid.js';

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

/** Elements per invocation: 4 when every length is a multiple of 4, else 1. */
export type VectorWidth = 1 | 4;

/**
 * The widest vector that tiles every length. vec4 accesses amortise each
 * invocation's index arithmetic and halve the time of memory-bound kernels on
 * lavapipe; on GPUs they make 16-byte transactions.
 */
export function vectorWidth(...lengths: number[]): VectorWidth {
  return lengths.every((n) => n % 4 === 0) ? 4 : 1;
}

/**
 * WGSL declarations a kernel written over `vec` needs: `alias vec` (f32 or
 * vec4f), `const VEC` (its width), `hsum` (sum of its lanes), and
 * `grid_row`, the row of a {@link rowGrid} dispatch from the global or
 * workgroup id.
 */
export function wgslPrelude(width: VectorWidth): string {
  const vec =
    width === 4
      ? 'alias vec = vec4f;\nconst VEC = 4u;\nfn hsum(v: vec) -> f32 { return dot(v, vec4f(1.0)); }'
      : 'alias vec = f32;\nconst VEC = 1u;\nfn hsum(v: vec) -> f32 { return v; }';
  return `${vec}\nfn grid_row(id: vec3u) -> u32 { return id.z * ${MAX_GROUPS_PER_DIM}u + id.y; }\n`;
}

/**
 * Workgroups for `rows` rows of `rowThreads` invocations each: x across a
 * row, rows along y and then z, so shaders find row and column without a
 * division (`grid_row(gid)`, `gid.x`) and must skip rows past the end.
 */
export function rowGrid(
  rows: number,
  rowThreads: number,
  workgroup: number,
): { x: number; y: number; z: number } {
  const x = Math.max(1, Math.ceil(rowThreads / workgroup));
  if (x > MAX_GROUPS_PER_DIM)
    throw new Error(`rows of ${rowThreads} invocations are too long for one grid row`);
  return {
    x,
    y: Math.max(1, Math.min(rows, MAX_GROUPS_PER_DIM)),
    z: Math.ceil(rows / MAX_GROUPS_PER_DIM) || 1,
  };
}
