/**
 * SwiGLU activation of the llama MLP, from separate or fused gate/up tensors.
 * @module
 */
import { loadShader, type Kernel, type KernelContext, type Recorder } from '../context.js';
import type { GpuTensor } from '../tensor.js';
import { dimsOf, rowGrid, vectorWidth, wgslPrelude, type VectorWidth } from './elementwise-common.js';

const WORKGROUP = 256;

/**
 * `out = silu(gate) * up` over f32, `silu(g) = g / (1 + e^-g)`, one row per
 * token; vec4 accesses when the hidden size is a multiple of 4.
 */
export class SwiGluKernel {
  readonly #ctx: KernelContext;
  readonly #kernels: Partial<Record<VectorWidth, Kernel>> = {};

  constructor(ctx: KernelContext) {
    this.#ctx = ctx;
  }

  /** Records the separate layout: `gate`, `up` and `out` all f32 `[T, H]`. */
  record(rec: Recorder, gate: GpuTensor, up: GpuTensor, out: GpuTensor): void {
    const [tokens, hidden] = dimsOf(out, 'out', ['f32'], 2);
    dimsOf(gate, 'gate', ['f32'], out.shape);
    dimsOf(up, 'up', ['f32'], out.shape);
    this.#dispatch(rec, [gate, up, out], tokens!, hidden!, hidden!, 0);
  }

  /**
   * Records the fused layout: `gateUp` f32 `[T, 2H]` as a fused gate+up
   * matmul writes it (gate = first H of each row, up = last H), `out` f32 `[T, H]`.
   */
  recordFused(rec: Recorder, gateUp: GpuTensor, out: GpuTensor): void {
    const [tokens, hidden] = dimsOf(out, 'out', ['f32'], 2);
    dimsOf(gateUp, 'gateUp', ['f32'], [tokens, 2 * hidden!]);
    this.#dispatch(rec, [gateUp, gateUp, out], tokens!, hidden!, 2 * hidden!, hidden!);
  }

  #dispatch(
    rec: Recorder,
    tensors: GpuTensor[],
    tokens: number,
    hidden: number,
    stride: number,
    upOffset: number,
  ): void {
    const width = vectorWidth(hidden);
    const g = rowGrid(tokens, hidden / width, WORKGROUP);
    const p = rec.paramsBase;
    rec.u32[p] = tokens;
    rec.u32[p + 1] = hidden / width;
    rec.u32[p + 2] = stride / width;
    rec.u32[p + 3] = upOffset / width;
    rec.dispatch(this.#kernel(width), tensors, g.x, g.y, g.z);
  }

  #kernel(width: VectorWidth): Kernel {
    return (this.#kernels[width] ??= this.#ctx.kernel(`swiglu:vec${width}`, () => ({
      code: wgslPrelude(width) + loadShader('swiglu'),
      constants: { WG: WORKGROUP },
      bindings: ['read-only-storage', 'read-only-storage', 'storage'],
    })));
  }
}
