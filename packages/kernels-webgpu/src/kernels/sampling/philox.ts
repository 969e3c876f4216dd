/**
 * Philox-4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2,
 * 3", SC'11) on the host: the bit-exact twin of `sampling_philox.wgsl`, so
 * the CPU reference and tools can reproduce the GPU sampler's draws.
 * @module
 */

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;

/**
 * Third counter word of every sampling draw. A token's noise is word
 * `id % 4` of `philox4x32([id >> 2, step, SAMPLING_SALT, 0], [seedLo, seedHi])`.
 */
export const SAMPLING_SALT = 0x73616d70;

/** High 32 bits of the 64-bit product of two u32 (each partial product stays exact in a double). */
function mulHi(a: number, b: number): number {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  return (a1 * b1 + Math.floor((a1 * b0 + a0 * b1 + ((a0 * b0) >>> 16)) / 65536)) >>> 0;
}

/**
 * Four u32 from a 128-bit counter (`counter[0..3]`) under a 64-bit key
 * (`key[0..1]`), written to `out` (also returned).
 */
export function philox4x32(
  counter: ArrayLike<number>,
  key: ArrayLike<number>,
  out: Uint32Array = new Uint32Array(4),
): Uint32Array {
  let [c0, c1, c2, c3] = [counter[0]! >>> 0, counter[1]! >>> 0, counter[2]! >>> 0, counter[3]! >>> 0];
  let k0 = key[0]! >>> 0;
  let k1 = key[1]! >>> 0;
  for (let r = 0; r < 10; r++) {
    const hi0 = mulHi(M0, c0);
    const lo0 = Math.imul(M0, c0) >>> 0;
    const hi1 = mulHi(M1, c2);
    const lo1 = Math.imul(M1, c2) >>> 0;
    [c0, c1, c2, c3] = [(hi1 ^ c1 ^ k0) >>> 0, lo1, (hi0 ^ c3 ^ k1) >>> 0, lo0];
    k0 = (k0 + W0) >>> 0;
    k1 = (k1 + W1) >>> 0;
  }
  out[0] = c0;
  out[1] = c1;
  out[2] = c2;
  out[3] = c3;
  return out;
}
