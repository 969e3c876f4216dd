/**
 * Residual add, out of place (`out = a + b`) and in place (`x += y`), over f32.
 * @module
 */
import { loadShader, type Kernel, type KernelContext, type Recorder } from '../context.js';
import type { GpuTensor } from '../tensor.js';
import { grid2d } from './grid.js';

const WORKGROUP = 256;

/** Element-wise f32 addition. Build once per context; record as often as needed. */
export class AddKernel {
  readonly #outOfPlace: Kernel;
  readonly #inPlace: Kernel;

  constructor(ctx: KernelContext) {
    this.#outOfPlace = ctx.kernel('add', () => ({
      code: loadShader('add'),
      bindings: ['read-only-storage', 'read-only-storage', 'storage'],
    }));
    this.#inPlace = ctx.kernel('add_inplace', () => ({
      code: loadShader('add_inplace'),
      bindings: ['storage', 'read-only-storage'],
    }));
  }

  /** Records `out[i] = a[i] + b[i]` for the first `n` elements. `out` must not alias `a` or `b`. */
  record(rec: Recorder, a: GpuTensor, b: GpuTensor, out: GpuTensor, n: number): void {
    this.#dispatch(rec, this.#outOfPlace, [a, b, out], n);
  }

  /** Records `x[i] += y[i]` for the first `n` elements. */
  recordInPlace(rec: Recorder, x: GpuTensor, y: GpuTensor, n: number): void {
    this.#dispatch(rec, this.#inPlace, [x, y], n);
  }

  #dispatch(rec: Recorder, kernel: Kernel, tensors: GpuTensor[], n: number): void {
    const g = grid2d(Math.ceil(n / WORKGROUP));
    const p = rec.paramsBase;
    rec.u32[p] = n;
    rec.u32[p + 1] = g.x;
    rec.dispatch(kernel, tensors, g.x, g.y);
  }
}
