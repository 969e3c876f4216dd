/**
 * Sampling from logits on the GPU: greedy or temperature with top-k, top-p
 * and min-p, with log-probabilities, in one dispatch of one workgroup per
 * sequence. See `sampling.wgsl` for the algorithm.
 * @module
 */
import { loadShader, type Kernel, type KernelContext, type Recorder } from '../../context.js';
import { createTensor, type GpuTensor } from '../../tensor.js';
import { grid2d } from '../grid.js';
import { MAX_LOGPROBS, SAMPLING_PARAMS_WORDS } from './params.js';

/** The sampler's WGSL, concatenated (one module; see `sampling.wgsl`). */
const SHADERS = ['sampling', 'sampling_top', 'sampling_draw', 'sampling_search', 'sampling_philox'];

/** Where the sampler writes. All rows are written in full (nothing is left stale). */
export interface SamplingOutputs {
  /** i32 [numSeqs]: the chosen token of each sequence. */
  readonly tokens: GpuTensor;
  /** f32 [numSeqs]: its log-probability under log_softmax(logits) (the raw model distribution, as vLLM returns). */
  readonly logprobs: GpuTensor;
  /**
   * i32 [numSeqs, cols] (cols <= 20): the `numLogprobs` most likely tokens of
   * each row, most likely first, ties to the lower id; -1 in the columns
   * after `numLogprobs`. Give both top tensors or neither.
   */
  readonly topIds?: GpuTensor;
  /** f32 [numSeqs, cols]: their raw log-probabilities; -inf in the columns after `numLogprobs`. */
  readonly topLogprobs?: GpuTensor;
}

/** Options for {@link SamplingKernel}. */
export interface SamplingKernelOptions {
  /**
   * Invocations per workgroup (one workgroup per sequence): a power of two,
   * 64..256 (at 32 lavapipe's JIT compile takes ~4× longer). Default 256.
   */
  readonly workgroupSize?: number;
}

/**
 * Samples one token per sequence from f32 logits `[numSeqs, vocab]` (any
 * vocab size; finite logits or -inf for masked tokens) with per-sequence
 * parameters from a {@link SamplingParamsBuffer}. Build once per context.
 */
export class SamplingKernel {
  readonly #kernel: Kernel;
  readonly #workgroupSize: number;
  readonly #noIds: GpuTensor;
  readonly #noLogprobs: GpuTensor;

  constructor(ctx: KernelContext, options: SamplingKernelOptions = {}) {
    const wg = options.workgroupSize ?? 256;
    if (!(wg >= 64 && wg <= 256 && (wg & (wg - 1)) === 0)) {
      throw new Error(`sampling workgroup size ${wg}: want a power of two in 64..256`);
    }
    this.#workgroupSize = wg;
    this.#kernel = ctx.kernel(`sampling:wg${wg}`, () => ({
      code: SHADERS.map(loadShader).join('\n'),
      constants: { WG: wg },
      bindings: ['read-only-storage', 'read-only-storage', 'storage', 'storage', 'storage', 'storage'],
    }));
    // Bound in place of absent top-n outputs (never written then).
    this.#noIds = createTensor(ctx.gpu, 'i32', [1], 'sampling-no-top-ids');
    this.#noLogprobs = createTensor(ctx.gpu, 'f32', [1], 'sampling-no-top-logprobs');
  }

  /**
   * Records the sampling of `numSeqs` rows of `vocab` logits. `params` is a
   * {@link SamplingParamsBuffer} tensor holding at least `numSeqs` entries.
   * With `keepTokens`, each row's token is the one `out.tokens` already holds
   * (drawn by an earlier pass from adjusted logits) and only its
   * log-probability and the top-n under these logits are written: the raw
   * log-probabilities vLLM returns when penalties change the draw.
   */
  record(
    rec: Recorder,
    logits: GpuTensor,
    params: GpuTensor,
    out: SamplingOutputs,
    numSeqs: number,
    vocab: number,
    options: { readonly keepTokens?: boolean } = {},
  ): void {
    // Robustness is off: a short tensor would be read or written out of bounds.
    const cols = topColumns(out, numSeqs);
    if (!(vocab >= 1 && vocab < 2 ** 24)) throw new Error(`sampling vocab ${vocab} outside [1, 2^24)`);
    for (const [name, t, bytes] of [
      ['logits', logits, numSeqs * vocab * 4],
      ['params', params, numSeqs * SAMPLING_PARAMS_WORDS * 4],
      ['tokens', out.tokens, numSeqs * 4],
      ['logprobs', out.logprobs, numSeqs * 4],
    ] as const) {
      if (t.byteLength < bytes)
        throw new Error(`sampling ${name} ${t.dtype}[${t.shape}]: fewer than ${bytes} bytes`);
    }
    const g = grid2d(numSeqs);
    const p = rec.paramsBase;
    rec.u32[p] = numSeqs;
    rec.u32[p + 1] = vocab;
    rec.u32[p + 2] = cols;
    rec.u32[p + 3] = g.x;
    rec.u32[p + 4] = this.#workgroupSize / 2;
    rec.u32[p + 5] = options.keepTokens ? 1 : 0;
    rec.dispatch(
      this.#kernel,
      [
        logits,
        params,
        out.tokens,
        out.logprobs,
        out.topIds ?? this.#noIds,
        out.topLogprobs ?? this.#noLogprobs,
      ],
      g.x,
      g.y,
    );
  }

  /** Frees the kernel's own placeholder buffers. */
  destroy(): void {
    this.#noIds.buffer.destroy();
    this.#noLogprobs.buffer.destroy();
  }
}

function topColumns(out: SamplingOutputs, numSeqs: number): number {
  const { topIds, topLogprobs } = out;
  if (!topIds && !topLogprobs) return 0;
  const cols = topIds?.shape[1] ?? -1;
  if (
    !topIds ||
    !topLogprobs ||
    topIds.shape.length !== 2 ||
    topIds.shape[0]! < numSeqs ||
    cols > MAX_LOGPROBS ||
    topLogprobs.shape[0] !== topIds.shape[0] ||
    topLogprobs.shape[1] !== cols
  ) {
    throw new Error(
      `top-n outputs must both be [>= ${numSeqs}, <= ${MAX_LOGPROBS}] (got ids ${topIds?.shape}, logprobs ${topLogprobs?.shape})`,
    );
  }
  return cols;
}
