/**
 * Linear layers: `y[T, N] = x[T, K] · w[N, K]ᵀ (+ bias[N])` with f32
 * activations and f32, f16, Q8_0 or K-quant (Q4_K, Q5_K, Q6_K) weights
 * dequantised in the shader.
 * @module
 */
import type { Kernel, KernelContext, Recorder } from '../../context.js';
import { createTensor, type GpuTensor } from '../../tensor.js';
import { grid2d, MAX_GROUPS_PER_DIM } from '../grid.js';
import { matmulPipeline, rowsAligned, type MatmulBody } from './pipelines.js';
import { TensorTextures, TEXTURE_WIDTH } from './textures.js';
import { checkMatmul, type MatmulDims } from './validate.js';

/**
 * `gemv`: decode-sized T, every weight read once per call. `gemm`: a
 * register-tiled matrix multiply for prefill-sized T.
 */
export type MatmulPath = 'gemv' | 'gemm';

/**
 * `subgroup`: 8-invocation workgroups that share activation loads between
 * lanes with `subgroupShuffle`, built for CPU SIMD subgroups (lavapipe);
 * `portable`: the usual GPU designs (a k-split GEMV reducing in workgroup
 * memory, a workgroup-memory tiled GEMM), for every other device.
 */
export type MatmulVariant = 'subgroup' | 'portable';

/**
 * Largest T that takes the GEMV path by default. On lavapipe at 4096² the
 * GEMV's cost grows with every activation row while the GEMM's 16-row tile
 * costs the same for any T <= 16; T = 4 is the last row count where the GEMV
 * is faster for every dtype (docs/matmul.md).
 */
export const GEMV_MAX_T = 4;

/** Options for {@link MatmulKernel}. */
export interface MatmulOptions {
  /**
   * Default: `subgroup` where subgroups are 8 to 16 lanes wide (CPU SIMD
   * widths), else `portable`. Forcing `subgroup` needs subgroups of at least 8
   * lanes, so that a workgroup of 8 is one subgroup.
   */
  readonly variant?: MatmulVariant;
}

/** Per-call options of {@link MatmulKernel.record}. */
export interface MatmulRecordOptions {
  /** f32 [N], added to every output row. */
  readonly bias?: GpuTensor;
  /** Forces a path (tests, benchmarks); default {@link MatmulKernel.pathFor}. */
  readonly path?: MatmulPath;
  /**
   * First column of y to write (default 0): y may be [T, >= column + N], so a
   * weight too large for one binding, split into row blocks in buffers of
   * their own, fills one y block by block.
   */
  readonly column?: number;
}

// Tile shapes of the kernel bodies (see the .wgsl headers).
const SG_GEMV = { rowsPerLane: 1 };
const SG_GEMM = { tm: 16, rowsPerLane: 4 };
const PORTABLE_GEMV = { rowsPerGroup: 4, lanes: 32 };

/**
 * One row count T for each pipeline the default path choice can build for a weight (the GEMV
 * specializes on T up to {@link GEMV_MAX_T}; the GEMM reads buffers within one row tile and
 * texture copies beyond): running these once compiles every pipeline before serving needs it.
 */
export const MATMUL_WARM_UP_ROWS: readonly number[] = [
  ...Array.from({ length: GEMV_MAX_T }, (_, i) => i + 1),
  GEMV_MAX_T + 1,
  SG_GEMM.tm + 1,
];
const PORTABLE_GEMM_TILE = 32;

interface Dispatch {
  kernel: Kernel;
  groups: [number, number, number];
  groupsX: number;
  /** The kernel reads x and w from texture copies (the subgroup GEMM). */
  textures?: boolean;
}

/** A linear layer kernel. Build once per context; record as often as needed. */
export class MatmulKernel {
  /** The kernel family this instance records (see {@link MatmulOptions.variant}). */
  readonly variant: MatmulVariant;
  readonly #ctx: KernelContext;
  readonly #noBias: GpuTensor;
  readonly #textures: TensorTextures;

  constructor(ctx: KernelContext, options: MatmulOptions = {}) {
    const caps = ctx.gpu.caps;
    const usable = caps.subgroups && caps.subgroupMinSize >= 8;
    const simd = usable && caps.subgroupMaxSize <= 16;
    this.variant = options.variant ?? (simd ? 'subgroup' : 'portable');
    if (this.variant === 'subgroup' && !usable)
      throw new Error('matmul: the subgroup variant needs subgroups of at least 8 lanes');
    this.#ctx = ctx;
    this.#noBias = createTensor(ctx.gpu, 'f32', [4], 'matmul:no-bias');
    this.#textures = new TensorTextures(ctx.gpu);
  }

  /** The path {@link record} takes for `t` activation rows unless told otherwise. */
  pathFor(t: number): MatmulPath {
    return t <= GEMV_MAX_T ? 'gemv' : 'gemm';
  }

  /**
   * Records `y = x · wᵀ (+ bias)`. x: f32 [T, K]; w: f32, f16, q8_0, q4_k,
   * q5_k or q6_k [N, K] (q8_0: K % 32 == 0; K-quants: K % 256 == 0; f16: K
   * even); y: f32 [T, N] (or wider, see
   * {@link MatmulRecordOptions.column}), in a buffer of its own. Each tensor
   * must fit one storage binding from its offset to its buffer's end; a
   * larger weight is rejected with advice.
   */
  record(rec: Recorder, x: GpuTensor, w: GpuTensor, y: GpuTensor, options: MatmulRecordOptions = {}): void {
    const column = options.column ?? 0;
    const dims = checkMatmul(x, w, y, options.bias, column, this.#ctx.gpu.limits.maxStorageBufferBindingSize);
    if (dims.t === 0 || dims.n === 0) return;
    const path = options.path ?? this.pathFor(dims.t);
    const d = path === 'gemv' ? this.#gemv(dims) : this.#gemm(dims, x, w);
    if (d.groups.some((g) => g > MAX_GROUPS_PER_DIM))
      throw new Error(
        `matmul: T = ${dims.t}, N = ${dims.n} needs more than ${MAX_GROUPS_PER_DIM} workgroups a side`,
      );
    const p = rec.paramsBase;
    rec.u32[p] = dims.t;
    rec.u32[p + 1] = dims.n;
    rec.u32[p + 2] = dims.k;
    rec.u32[p + 3] = options.bias ? 1 : 0;
    rec.u32[p + 4] = d.groupsX;
    rec.u32[p + 5] = dims.yStride;
    rec.u32[p + 6] = column;
    const [wIn, xIn] = d.textures
      ? [this.#textures.copy(rec, w, 'w'), this.#textures.copy(rec, x, 'x')]
      : [w, x];
    rec.dispatch(d.kernel, [wIn, xIn, y, options.bias ?? this.#noBias], ...d.groups);
  }

  /** Frees the kernel's own buffer and textures. */
  destroy(): void {
    this.#noBias.buffer.destroy();
    this.#textures.destroy();
  }

  #pipeline(body: MatmulBody, dims: MatmulDims, consts: Record<string, number>, textures = false): Kernel {
    const source = !rowsAligned(dims.dtype, dims.k) ? 'unaligned' : textures ? 'texture' : 'buffer';
    return matmulPipeline(this.#ctx, body, dims.dtype, source, consts);
  }

  /**
   * The subgroup kernels read rows as vec4 only; unaligned rows (f32 K % 4 != 0,
   * f16 K % 8 != 0, shapes no real model has) take the portable kernels.
   */
  #subgroup(dims: MatmulDims): boolean {
    return this.variant === 'subgroup' && rowsAligned(dims.dtype, dims.k);
  }

  #gemv(dims: MatmulDims): Dispatch {
    const tr = Math.min(dims.t, GEMV_MAX_T);
    const chunks = Math.ceil(dims.t / tr);
    if (this.#subgroup(dims)) {
      const nl = SG_GEMV.rowsPerLane;
      const g = grid2d(Math.ceil(dims.n / (8 * nl)));
      const kernel = this.#pipeline('gemv_sg', dims, { TR: tr, NL: nl });
      return { kernel, groups: [g.x, g.y, chunks], groupsX: g.x };
    }
    const { rowsPerGroup, lanes } = PORTABLE_GEMV;
    const g = grid2d(Math.ceil(dims.n / rowsPerGroup));
    const kernel = this.#pipeline('gemv', dims, { TR: tr, RW: rowsPerGroup, LANES: lanes });
    return { kernel, groups: [g.x, g.y, chunks], groupsX: g.x };
  }

  /**
   * The subgroup GEMM reads x and w from texture copies when T spans more than
   * one row tile (the copies cost about one pass over the weights: more than
   * they save for a single tile) and both fit a texture (on lavapipe every
   * tensor with whole 16-byte texels: 512 MiB against 128 MiB bindings), else
   * from their buffers.
   */
  #gemm(dims: MatmulDims, x: GpuTensor, w: GpuTensor): Dispatch {
    if (!this.#subgroup(dims)) {
      const kernel = this.#pipeline('gemm', dims, {});
      const tile = PORTABLE_GEMM_TILE;
      const groups: [number, number, number] = [Math.ceil(dims.n / tile), Math.ceil(dims.t / tile), 1];
      return { kernel, groups, groupsX: groups[0] };
    }
    const textures = dims.t > SG_GEMM.tm && this.#textures.fits(x) && this.#textures.fits(w);
    const { tm, rowsPerLane } = SG_GEMM;
    const consts = { TM: tm, NL: rowsPerLane, ...(textures ? { TW: TEXTURE_WIDTH } : {}) };
    const kernel = this.#pipeline('gemm_sg', dims, consts, textures);
    const groups: [number, number, number] = [
      Math.ceil(dims.n / (8 * rowsPerLane)),
      Math.ceil(dims.t / tm),
      1,
    ];
    return { kernel, groups, groupsX: groups[0], textures };
  }
}
