/**
 * Scatter of new tokens' keys and values into the paged KV cache.
 * @module
 */
import { loadShader, type Kernel, type KernelContext, type Recorder } from '../context.js';
import type { GpuTensor } from '../tensor.js';
import { ANY, dimsOf, rowGrid, vectorWidth, wgslPrelude, type VectorWidth } from './elementwise-common.js';

const WORKGROUP = 256;

/**
 * Writes each token's K and V (`[T, numKvHeads, headDim]` f32) into one
 * layer's `kCache` / `vCache` (`[numBlocks, numKvHeads, blockSize, headDim]`
 * f32) at its slot (`block * blockSize + offset`, from the i32 `[T]` slot
 * mapping), in one dispatch; vec4 copies when headDim is a multiple of 4.
 * Slots outside [0, numBlocks * blockSize), such as -1 for padding, are
 * skipped; two tokens must not share a slot.
 */
export class KvCacheWriteKernel {
  readonly #ctx: KernelContext;
  readonly #kernels: Partial<Record<VectorWidth, Kernel>> = {};

  constructor(ctx: KernelContext) {
    this.#ctx = ctx;
  }

  /** Records the scatter. The two caches must be distinct buffers from k and v. */
  record(
    rec: Recorder,
    k: GpuTensor,
    v: GpuTensor,
    slots: GpuTensor,
    kCache: GpuTensor,
    vCache: GpuTensor,
  ): void {
    const [tokens, numKvHeads, headDim] = dimsOf(k, 'k', ['f32'], 3);
    const [numBlocks, , blockSize] = dimsOf(kCache, 'kCache', ['f32'], [ANY, numKvHeads, ANY, headDim]);
    dimsOf(v, 'v', ['f32'], k.shape);
    dimsOf(vCache, 'vCache', ['f32'], kCache.shape);
    dimsOf(slots, 'slots', ['i32'], [tokens]);
    const width = vectorWidth(headDim!);
    const g = rowGrid(tokens!, (numKvHeads! * headDim!) / width, WORKGROUP);
    const p = rec.paramsBase;
    rec.u32[p] = tokens!;
    rec.u32[p + 1] = numKvHeads!;
    rec.u32[p + 2] = headDim! / width;
    rec.u32[p + 3] = blockSize!;
    rec.u32[p + 4] = numBlocks! * blockSize!;
    rec.dispatch(this.#kernel(width), [k, v, slots, kCache, vCache], g.x, g.y, g.z);
  }

  #kernel(width: VectorWidth): Kernel {
    return (this.#kernels[width] ??= this.#ctx.kernel(`kv_cache_write:vec${width}`, () => ({
      code: wgslPrelude(width) + loadShader('kv_cache_write'),
      constants: { WG: WORKGROUP },
      bindings: ['read-only-storage', 'read-only-storage', 'read-only-storage', 'storage', 'storage'],
    })));
  }
}
