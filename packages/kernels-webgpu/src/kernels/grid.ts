/** Largest workgroup count WebGPU guarantees per dimension. */
export const MAX_GROUPS_PER_DIM = 65535;

/**
 * A 2-D grid of workgroups covering `count` of them: x up to 65535, y as
 * needed. Shaders rebuild the flat index as `gid.y * groups_x * size + gid.x`.
 */
export function grid2d(count: number): { x: number; y: number } {
  if (count <= MAX_GROUPS_PER_DIM) return { x: Math.max(1, count), y: 1 };
  const y = Math.ceil(count / MAX_GROUPS_PER_DIM);
  return { x: Math.ceil(count / y), y };
}
