/**
 * Paged attention over a packed, variable-length batch of prefill, chunked
 * prefill and decode sequences, reading K/V through block tables.
 * @module
 */
import type { Kernel, KernelContext, Recorder } from '../../context.js';
import { alignTo, TENSOR_USAGE, type GpuTensor } from '../../tensor.js';
import { MAX_GROUPS_PER_DIM } from '../grid.js';
import { attentionPipeline, workgroupBytes, type AttentionLayout, type AttentionShape } from './pipelines.js';
import { chunkSlots, DEFAULT_MAX_SPLIT, DEFAULT_SPLIT_CHUNK, type SplitRule } from './split.js';
import { checkPagedAttention, type PagedAttentionTensors } from './validate.js';

/** Widest head the `keys` layout takes by default; wider heads use `dims`. */
export const KEYS_LAYOUT_MAX_HEAD_DIM = 16;

/** Query rows (tokens × heads of one group) per workgroup by default, by layout. */
export const DEFAULT_TILE_ROWS = { keys: 16, dims: 8 } as const;

/**
 * Keys per step of the `dims` layout's key loop by default, on the decode
 * and multi-token paths. Each step costs three workgroup barriers; a
 * multi-token step's workgroup memory grows with rows × keys.
 */
export const DEFAULT_KEYS_PER_STEP = { single: 64, multi: 16 } as const;

/** Head configuration and tuning of a {@link PagedAttentionKernel}. */
export interface PagedAttentionOptions {
  readonly numHeads: number;
  /** Divides numHeads; query head h reads kv head floor(h / (numHeads / numKvHeads)). */
  readonly numKvHeads: number;
  /** A multiple of 4 (the kernels read vec4s): 8, 64 and 128 are tested. */
  readonly headDim: number;
  /** Split rule: keys per chunk, default {@link DEFAULT_SPLIT_CHUNK}. */
  readonly splitChunk?: number;
  /** Split rule: most chunks per sequence, default {@link DEFAULT_MAX_SPLIT}; 1 turns splitting off. */
  readonly maxSplit?: number;
  /** How lanes share the work; default `keys` up to {@link KEYS_LAYOUT_MAX_HEAD_DIM}, else `dims`. */
  readonly layout?: AttentionLayout;
  /**
   * Query rows (tokens × heads of one group) a workgroup keeps, default
   * {@link DEFAULT_TILE_ROWS}: each key and value a workgroup loads serves
   * them all. A group wider than this is spread over several workgroups.
   */
  readonly tileRows?: number;
  /** Lanes per workgroup, a power of two; default 8 (one lavapipe SIMD batch). */
  readonly lanes?: number;
  /** `dims` layout: keys per step of the key loop, a multiple of lanes; default {@link DEFAULT_KEYS_PER_STEP}. */
  readonly keysPerStep?: number | { readonly single: number; readonly multi: number };
}

/** Per-call options of {@link PagedAttentionKernel.record}. */
export interface PagedAttentionRecordOptions {
  /** Softmax scale; default 1 / sqrt(headDim). */
  readonly scale?: number;
  /**
   * An upper bound of every context length in the batch; it sizes the split
   * grid and scratch only. Default: the block tables' capacity, width × block size.
   */
  readonly maxContextLen?: number;
}

/**
 * `out = softmax(q·kᵀ · scale, causal) · v` for every query token and head.
 * Sequence s owns query rows queryStart[s]..queryStart[s+1]-1 (at least one);
 * its i-th of n new tokens sits at position contextLens[s] - n + i and sees
 * keys 0..that position, all already in the cache. Single-token sequences
 * run on the decode path, split over context chunks when long (see
 * {@link splitChunks}); the others run on the multi-token path. Build once per
 * context and head configuration; record as often as needed.
 */
export class PagedAttentionKernel {
  readonly numHeads: number;
  readonly numKvHeads: number;
  readonly headDim: number;
  /** The split-context rule this kernel applies to single-token sequences. */
  readonly split: SplitRule;
  readonly #ctx: KernelContext;
  readonly #single: AttentionShape;
  readonly #multi: AttentionShape;
  #kernels: Partial<Record<'single' | 'multi' | 'merge', Kernel>> = {};
  #scratch: GpuTensor;
  // Outgrown scratch buffers: recorded work may still use them until submitted.
  #retired: GPUBuffer[] = [];

  constructor(ctx: KernelContext, options: PagedAttentionOptions) {
    const { numHeads, numKvHeads, headDim } = options;
    if (!(numKvHeads > 0 && numHeads % numKvHeads === 0))
      throw new Error(`paged attention: numHeads ${numHeads} is not a multiple of numKvHeads ${numKvHeads}`);
    if (!(headDim > 0 && headDim % 4 === 0))
      throw new Error(`paged attention: headDim must be a positive multiple of 4, got ${headDim}`);
    this.numHeads = numHeads;
    this.numKvHeads = numKvHeads;
    this.headDim = headDim;
    this.#ctx = ctx;
    const group = numHeads / numKvHeads;
    const layout = options.layout ?? (headDim <= KEYS_LAYOUT_MAX_HEAD_DIM ? 'keys' : 'dims');
    const rows = options.tileRows ?? DEFAULT_TILE_ROWS[layout];
    const lanes = options.lanes ?? 8;
    // The `keys` layout steps one key per lane.
    const steps = layout === 'keys' ? lanes : (options.keysPerStep ?? DEFAULT_KEYS_PER_STEP);
    const keys = typeof steps === 'number' ? { single: steps, multi: steps } : steps;
    if (!(lanes >= 1 && lanes <= 256 && (lanes & (lanes - 1)) === 0))
      throw new Error(`paged attention: lanes must be a power of two up to 256, got ${lanes}`);
    for (const k of [keys.single, keys.multi]) {
      if (!(k >= lanes && k % lanes === 0))
        throw new Error(`paged attention: keysPerStep must be a multiple of lanes (${lanes}), got ${k}`);
    }
    let heads = Math.min(group, rows);
    while (group % heads !== 0) heads--;
    const tileTokens = Math.max(1, Math.floor(rows / heads));
    this.#single = { layout, headDim, group, heads, tileTokens: 1, lanes, keysPerStep: keys.single };
    this.#multi = { layout, headDim, group, heads, tileTokens, lanes, keysPerStep: keys.multi };
    const memory = ctx.gpu.limits.maxComputeWorkgroupStorageSize;
    for (const shape of [this.#single, this.#multi]) {
      if (workgroupBytes(shape) > memory)
        throw new Error(
          `paged attention: ${workgroupBytes(shape)} bytes of workgroup memory exceed the device's ${memory}; ` +
            'lower tileRows or keysPerStep',
        );
    }
    this.split = {
      chunk: options.splitChunk ?? DEFAULT_SPLIT_CHUNK,
      maxSplit: options.maxSplit ?? DEFAULT_MAX_SPLIT,
      keysPerStep: keys.single,
    };
    if (!(this.split.chunk >= 1 && this.split.maxSplit >= 1))
      throw new Error('paged attention: splitChunk and maxSplit must be at least 1');
    this.#scratch = this.#newScratch(256);
  }

  /** Query tokens per workgroup tile on the multi-token path. */
  get tileTokens(): number {
    return this.#multi.tileTokens;
  }

  /** Lanes per workgroup. */
  get lanes(): number {
    return this.#multi.lanes;
  }

  /** How the lanes share the work. */
  get layout(): AttentionLayout {
    return this.#multi.layout;
  }

  /**
   * Records the attention of every query token of the batch into `out`.
   * Dispatches the decode path, then the multi-token path when some sequence
   * has more than one query token (numTokens > numSeqs), then the split
   * path's merge when some context may exceed one chunk.
   */
  record(rec: Recorder, t: PagedAttentionTensors, options: PagedAttentionRecordOptions = {}): void {
    const dims = checkPagedAttention(t, this.numHeads, this.numKvHeads, this.headDim);
    const maxContext = options.maxContextLen ?? dims.tableStride * dims.blockSize;
    const slots = chunkSlots(maxContext, this.split);
    const scratch = this.#ensureScratch(dims.numSeqs * slots);
    const tiles = dims.numSeqs + Math.floor(dims.numTokens / this.tileTokens);
    if (tiles > MAX_GROUPS_PER_DIM)
      throw new Error(
        `paged attention: ${tiles} tiles exceed ${MAX_GROUPS_PER_DIM} workgroups; split the batch`,
      );
    const scale = options.scale ?? 1 / Math.sqrt(this.headDim);
    const tensors = [t.q, t.kCache, t.vCache, t.queryStart, t.contextLens, t.blockTables, t.out, scratch];
    const dispatch = (body: 'single' | 'multi' | 'merge', x: number, y: number, z: number) => {
      const shape = body === 'multi' ? this.#multi : this.#single;
      const p = rec.paramsBase;
      rec.u32[p] = dims.numSeqs;
      rec.u32[p + 1] = this.numKvHeads;
      rec.u32[p + 2] = dims.blockSize;
      rec.u32[p + 3] = dims.tableStride;
      rec.f32[p + 4] = scale * Math.LOG2E;
      rec.u32[p + 5] = this.split.chunk;
      rec.u32[p + 6] = this.split.maxSplit;
      rec.u32[p + 7] = slots;
      rec.u32[p + 8] = shape.keysPerStep;
      rec.dispatch(this.#kernel(body), tensors, x, y, z);
    };
    // Workgroups along y: every kv head times its group's shares.
    const shares = this.numKvHeads * (this.numHeads / this.numKvHeads / this.#single.heads);
    dispatch('single', dims.numSeqs, shares, slots);
    if (dims.numTokens > dims.numSeqs) dispatch('multi', tiles, shares, 1);
    if (slots > 1) dispatch('merge', dims.numSeqs, this.numKvHeads, 1);
  }

  /** Frees the kernel's scratch buffers. */
  destroy(): void {
    for (const b of this.#retired) b.destroy();
    this.#retired = [];
    this.#scratch.buffer.destroy();
  }

  #kernel(body: 'single' | 'multi' | 'merge'): Kernel {
    return (this.#kernels[body] ??= attentionPipeline(
      this.#ctx,
      body,
      body === 'multi' ? this.#multi : this.#single,
    ));
  }

  // Scratch for `slots` chunk records of every kv head and head of its group.
  #ensureScratch(slots: number): GpuTensor {
    const bytes = slots * this.numHeads * (this.headDim + 4) * 4;
    const limit = this.#ctx.gpu.limits.maxStorageBufferBindingSize;
    if (bytes > limit) {
      throw new Error(
        `paged attention: the split path needs ${bytes} bytes of scratch, over the ${limit}-byte binding limit; ` +
          'pass a tighter maxContextLen or raise splitChunk',
      );
    }
    if (bytes > this.#scratch.byteLength) {
      this.#retired.push(this.#scratch.buffer);
      this.#scratch = this.#newScratch(Math.min(limit, Math.max(bytes, this.#scratch.byteLength * 1.5)));
    }
    return this.#scratch;
  }

  #newScratch(bytes: number): GpuTensor {
    const size = alignTo(bytes, 256);
    const buffer = this.#ctx.gpu.device.createBuffer({
      label: 'attention:partials',
      size,
      usage: TENSOR_USAGE,
    });
    return { buffer, offset: 0, dtype: 'f32', shape: [size / 4], byteLength: size };
  }
}
