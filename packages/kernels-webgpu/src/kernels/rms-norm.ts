/**
 * RMSNorm over rows, plain and fused with the residual add before it.
 * @module
 */
import { loadShader, type Kernel, type KernelContext, type Recorder } from '../context.js';
import type { GpuTensor } from '../tensor.js';
import { dimsOf, rowGrid, vectorWidth, wgslPrelude, type VectorWidth } from './elementwise-common.js';

/** Options for {@link RmsNormKernel}. */
export interface RmsNormOptions {
  /**
   * Reduce with `subgroupAdd` (default: when the device has `subgroups`).
   * False forces the workgroup-memory tree, e.g. to test the fallback.
   */
  readonly subgroups?: boolean;
  /**
   * Invocations per row, a power of two in [16, 256]; default from the
   * device's subgroup size (see {@link RmsNormKernel}). For tuning and tests.
   */
  readonly workgroupSize?: number;
}

type Variant = 'rms_norm' | 'rms_norm_residual';

/**
 * `out = x / sqrt(mean(x^2) + eps) * weight` per row of `dim` f32 values,
 * one workgroup per row with a workgroup reduction; the sum of squares is
 * accumulated in f32. vec4 accesses when dim is a multiple of 4; 16 to 64
 * invocations per row, following the device's subgroup size.
 */
export class RmsNormKernel {
  readonly #ctx: KernelContext;
  readonly #subgroups: boolean;
  readonly #workgroupSize: number | undefined;
  readonly #kernels = new Map<string, Kernel>();

  constructor(ctx: KernelContext, options: RmsNormOptions = {}) {
    this.#ctx = ctx;
    this.#subgroups = options.subgroups ?? ctx.gpu.caps.subgroups;
    if (this.#subgroups && !ctx.gpu.caps.subgroups) throw new Error('RmsNormKernel: device lacks subgroups');
    const wg = options.workgroupSize;
    if (wg !== undefined && !(wg >= 16 && wg <= 256 && (wg & (wg - 1)) === 0))
      throw new Error(`RmsNormKernel: workgroupSize ${wg} is not a power of two in [16, 256]`);
    this.#workgroupSize = wg;
  }

  /**
   * Records `out[r] = rmsnorm(x[r]) * weight` for `x`, `out` f32 `[rows, dim]`
   * (distinct buffers) and `weight` f32 `[dim]`.
   */
  record(rec: Recorder, x: GpuTensor, weight: GpuTensor, out: GpuTensor, eps: number): void {
    this.#record(rec, 'rms_norm', [x, weight, out], x, weight, out, eps);
  }

  /**
   * Records the fused "add then norm": `h += delta`, then `out = rmsnorm(h) * weight`,
   * in one dispatch. `h` (the residual stream, updated in place), `delta` and
   * `out` are f32 `[rows, dim]`, three distinct buffers.
   */
  recordResidual(
    rec: Recorder,
    h: GpuTensor,
    delta: GpuTensor,
    weight: GpuTensor,
    out: GpuTensor,
    eps: number,
  ): void {
    dimsOf(delta, 'delta', ['f32'], h.shape);
    this.#record(rec, 'rms_norm_residual', [h, delta, weight, out], h, weight, out, eps);
  }

  #record(
    rec: Recorder,
    variant: Variant,
    tensors: GpuTensor[],
    x: GpuTensor,
    weight: GpuTensor,
    out: GpuTensor,
    eps: number,
  ): void {
    const [rows, dim] = dimsOf(x, 'x', ['f32'], 2);
    dimsOf(weight, 'weight', ['f32'], [dim]);
    dimsOf(out, 'out', ['f32'], x.shape);
    const width = vectorWidth(dim!);
    const wg = this.#workgroupSize ?? workgroupFor(dim! / width, this.#ctx.gpu.caps.subgroupMaxSize);
    const g = rowGrid(rows!, wg, wg);
    const p = rec.paramsBase;
    rec.u32[p] = rows!;
    rec.u32[p + 1] = dim! / width;
    rec.f32[p + 2] = eps;
    rec.dispatch(this.#kernel(variant, width, wg), tensors, g.x, g.y, g.z);
  }

  #kernel(variant: Variant, width: VectorWidth, wg: number): Kernel {
    const sg = this.#subgroups;
    const key = `${variant}:vec${width}:wg${wg}:${sg ? 'subgroups' : 'shared'}`;
    let k = this.#kernels.get(key);
    if (!k) {
      const sum = loadShader(sg ? 'rms_norm_sum_subgroups' : 'rms_norm_sum_shared');
      k = this.#ctx.kernel(key, () => ({
        code: `${sg ? 'enable subgroups;\n' : ''}${wgslPrelude(width)}${sum}${loadShader(variant)}`,
        constants: { WG: wg },
        bindings:
          variant === 'rms_norm'
            ? ['read-only-storage', 'read-only-storage', 'storage']
            : ['storage', 'read-only-storage', 'read-only-storage', 'storage'],
      }));
      this.#kernels.set(key, k);
    }
    return k;
  }
}

/**
 * Invocations per row: two subgroups (32 when the size is unknown), kept
 * within [16, 64] and halved for rows shorter than that. Fewer, fuller
 * invocations win for a memory-bound row: on lavapipe (subgroups of 8),
 * 4096-wide rows took about half as long with 16 invocations as with 64,
 * and 256 was slower still.
 */
function workgroupFor(vecs: number, subgroupSize: number): number {
  let wg = 16;
  while (wg < 64 && wg < 2 * (subgroupSize || 32)) wg *= 2;
  while (wg > 16 && wg > vecs) wg /= 2;
  return wg;
}
