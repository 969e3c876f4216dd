/**
 * Rotary position embedding (RoPE), in place on q and k, in both pair layouts.
 * @module
 */
import { GPUBufferUsageFlags as Usage } from '../gpu.js';
import { loadShader, type Kernel, type KernelContext, type Recorder } from '../context.js';
import type { GpuTensor } from '../tensor.js';
import { ANY, dimsOf, rowGrid, vectorWidth, wgslPrelude, type VectorWidth } from './elementwise-common.js';

const WORKGROUP = 64;
/** Positions must stay below this: the fixed-point angle product is exact only up to it. */
export const ROPE_MAX_POSITION = 2 ** 20;

/** A model's rotary embedding. */
export interface RopeOptions {
  /**
   * Which dimensions form a rotating pair: `adjacent` (x[2i], x[2i+1]), as in
   * GGUF llama and llama2.c; `neox` (x[i], x[i + ropeDim/2]), as in GPT-NeoX and Qwen2.
   */
  readonly layout: 'adjacent' | 'neox';
  /** θ of `theta_i = pos * base^(-2i/ropeDim)`, e.g. 10000 (llama) or 1000000 (Qwen2). */
  readonly base: number;
  readonly headDim: number;
  /** Leading dimensions of each head that rotate (even, ≤ headDim); default headDim. */
  readonly ropeDim?: number;
  /**
   * Per-pair divisors of the frequency (`ropeDim/2` positive values), as
   * llama.cpp's `freq_factors`: pair i turns by `pos * base^(-2i/ropeDim) /
   * freqFactors[i]` (Llama 3's `rope_freqs.weight`, times any linear scaling
   * factor). Absent: all 1, the same table bit for bit.
   */
  readonly freqFactors?: ArrayLike<number>;
}

/**
 * Rotates q `[T, nHeads, headDim]` and k `[T, nKvHeads, headDim]` in place by
 * per-token positions (i32 `[T]`, in [0, {@link ROPE_MAX_POSITION})), in one
 * dispatch, four pairs per invocation (vec4 accesses) when headDim and
 * ropeDim/2 are multiples of 4. Each pair's frequency is kept as a 44-bit
 * fixed-point number of turns per position, computed on the host in float64,
 * so `pos * freq` is reduced modulo one turn exactly in integer arithmetic:
 * the angle's error stays below ~1e-6 rad at every position instead of
 * growing as pos·2^-24. Holds a small frequency table; call {@link destroy}
 * when done.
 */
export class RopeKernel {
  readonly options: RopeOptions;
  readonly #kernel: Kernel;
  readonly #width: VectorWidth;
  readonly #freqs: GpuTensor;

  constructor(ctx: KernelContext, options: RopeOptions) {
    const ropeDim = options.ropeDim ?? options.headDim;
    if (ropeDim % 2 !== 0 || ropeDim < 2 || ropeDim > options.headDim)
      throw new Error(`RopeKernel: ropeDim ${ropeDim} must be even and in [2, headDim ${options.headDim}]`);
    const factors = options.freqFactors;
    if (
      factors &&
      (factors.length !== ropeDim / 2 || !Array.from(factors).every((v) => v > 0 && v < Infinity))
    )
      throw new Error(`RopeKernel: freqFactors must be ${ropeDim / 2} positive finite values`);
    this.options = { ...options, ropeDim };
    this.#width = vectorWidth(options.headDim, ropeDim / 2);
    const width = this.#width;
    this.#kernel = ctx.kernel(`rope:${options.layout}:vec${width}`, () => ({
      code: wgslPrelude(width) + loadShader(`rope_lanes${width}`) + loadShader('rope'),
      constants: { NEOX: options.layout === 'neox' ? 1 : 0, WG: WORKGROUP },
      bindings: ['storage', 'storage', 'read-only-storage', 'read-only-storage'],
    }));
    const table = ropeFrequencyTable(options.base, ropeDim, factors);
    const buffer = ctx.gpu.device.createBuffer({
      label: 'rope-freqs',
      size: table.byteLength,
      usage: Usage.STORAGE | Usage.COPY_DST,
    });
    ctx.gpu.device.queue.writeBuffer(buffer, 0, table);
    this.#freqs = { buffer, offset: 0, dtype: 'u32', shape: [table.length], byteLength: table.byteLength };
  }

  /**
   * Records the rotation of `q` and `k` (f32, distinct buffers) by
   * `positions` (i32 `[T]`).
   */
  record(rec: Recorder, q: GpuTensor, k: GpuTensor, positions: GpuTensor): void {
    if (q.buffer === k.buffer)
      throw new Error('RopeKernel: q and k must be in distinct buffers (both are written)');
    const { headDim, ropeDim } = this.options;
    const [tokens, nHeads] = dimsOf(q, 'q', ['f32'], [ANY, ANY, headDim]);
    const [, nKvHeads] = dimsOf(k, 'k', ['f32'], [tokens, ANY, headDim]);
    dimsOf(positions, 'positions', ['i32'], [tokens]);
    const width = this.#width;
    const half = ropeDim! / 2 / width;
    const g = rowGrid(tokens!, half, WORKGROUP);
    const p = rec.paramsBase;
    rec.u32[p] = tokens!;
    rec.u32[p + 1] = nHeads!;
    rec.u32[p + 2] = nKvHeads!;
    rec.u32[p + 3] = headDim / width;
    rec.u32[p + 4] = half;
    rec.dispatch(this.#kernel, [q, k, positions, this.#freqs], g.x, g.y, g.z);
  }

  /** Frees the frequency table. */
  destroy(): void {
    this.#freqs.buffer.destroy();
  }
}

/**
 * Pair i's frequency `base^(-2i/ropeDim) / (2π · factors[i])` (factors
 * default to 1) in turns per position, as
 * 44-bit fixed point: bits 12..43 at [i], bits 0..11 at [ropeDim/2 + i], so
 * the shader's u32 products `pos * hi` (wrapping drops whole turns) and
 * `pos * lo` (< 2^32 for pos < 2^20) are exact.
 */
export function ropeFrequencyTable(base: number, ropeDim: number, factors?: ArrayLike<number>): Uint32Array {
  const half = ropeDim / 2;
  const out = new Uint32Array(ropeDim);
  for (let i = 0; i < half; i++) {
    const turns = base ** ((-2 * i) / ropeDim) / (2 * Math.PI);
    const fixed = Math.round((factors ? turns / factors[i]! : turns) * 2 ** 44);
    out[i] = Math.floor(fixed / 4096);
    out[half + i] = fixed % 4096;
  }
  return out;
}
