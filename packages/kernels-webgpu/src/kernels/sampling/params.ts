/**
 * Per-sequence sampling parameters and their GPU layout: 8 words per
 * sequence, packed on the host into a reused buffer every step.
 * @module
 */
import type { Gpu } from '../../gpu.js';
import { createTensor, type GpuTensor } from '../../tensor.js';

/** What one sequence asks of the sampler (vLLM's names), plus its position in its random stream. */
export interface SamplingParams {
  /** Logits are divided by it; below {@link GREEDY_TEMPERATURE} (e.g. 0) the argmax is taken. */
  readonly temperature: number;
  /** Keep the `topK` most likely tokens (and any tied with the last); 0 or -1 = off; at most {@link MAX_TOP_K}. */
  readonly topK?: number;
  /** Keep the smallest most-likely set whose probability is >= `topP` (after top-k); 1 = off. */
  readonly topP?: number;
  /** Keep tokens whose probability is >= `minP` × the largest; 0 = off. */
  readonly minP?: number;
  /** Integer in [0, {@link MAX_SEED}]: the Philox key. The engine picks a random one for unseeded requests. */
  readonly seed: number;
  /**
   * Tokens this request has generated so far: the Philox counter, so each
   * step draws fresh noise and a replay (e.g. after preemption) reproduces.
   */
  readonly step: number;
  /** How many most-likely tokens to report with their log-probabilities, 0..{@link MAX_LOGPROBS}. */
  readonly numLogprobs?: number;
}

/** Words per sequence: temperature f32, top_k i32, top_p f32, min_p f32, seed lo u32, seed hi u32, step u32, num_logprobs u32. */
export const SAMPLING_PARAMS_WORDS = 8;
/** Most top log-probabilities one sequence may ask for (vLLM's default cap). */
export const MAX_LOGPROBS = 20;
/** Temperatures below this sample greedily (vLLM's `_SAMPLING_EPS`). */
export const GREEDY_TEMPERATURE = 1e-5;
/** Largest `topK`: it is an i32 word (any value at or above the vocabulary size keeps every token). */
export const MAX_TOP_K = 2 ** 31 - 1;
/** Largest seed: it travels as two u32 words, and a JS number holds integers exactly up to 2^53 - 1. */
export const MAX_SEED = Number.MAX_SAFE_INTEGER;

/** One row of a batch holds a value the sampling kernels cannot take; `row` is its index in the batch. */
export class SamplingRowError extends RangeError {
  readonly row: number;
  constructor(row: number, message: string) {
    super(message);
    this.name = 'SamplingRowError';
    this.row = row;
  }
}

function check(ok: boolean, i: number, what: string): void {
  if (!ok) throw new SamplingRowError(i, `sampling params [${i}]: ${what}`);
}

/**
 * Writes `params` in the GPU layout ({@link SAMPLING_PARAMS_WORDS} little-endian
 * words each) into `dst` from byte 0. Throws a {@link SamplingRowError} on a value
 * out of range, before writing anything.
 */
export function packSamplingParams(params: readonly SamplingParams[], dst: DataView): void {
  params.forEach(checkSamplingParams);
  for (let i = 0; i < params.length; i++) {
    const p = params[i]!;
    const at = i * SAMPLING_PARAMS_WORDS * 4;
    dst.setFloat32(at, p.temperature, true);
    dst.setInt32(at + 4, p.topK ?? 0, true);
    dst.setFloat32(at + 8, p.topP ?? 1, true);
    dst.setFloat32(at + 12, p.minP ?? 0, true);
    dst.setUint32(at + 16, p.seed % 2 ** 32, true);
    dst.setUint32(at + 20, Math.floor(p.seed / 2 ** 32), true);
    dst.setUint32(at + 24, p.step, true);
    dst.setUint32(at + 28, p.numLogprobs ?? 0, true);
  }
}

function checkSamplingParams(p: SamplingParams, i: number): void {
  const topK = p.topK ?? 0;
  const topP = p.topP ?? 1;
  const minP = p.minP ?? 0;
  const n = p.numLogprobs ?? 0;
  check(p.temperature >= 0 && Number.isFinite(p.temperature), i, `temperature ${p.temperature}`);
  check(
    Number.isInteger(topK) && topK >= -1 && topK <= MAX_TOP_K,
    i,
    `topK ${topK} outside [-1, ${MAX_TOP_K}]`,
  );
  check(topP > 0 && topP <= 1, i, `topP ${topP} outside (0, 1]`);
  check(minP >= 0 && minP <= 1, i, `minP ${minP} outside [0, 1]`);
  check(
    Number.isInteger(p.seed) && p.seed >= 0 && p.seed <= MAX_SEED,
    i,
    `seed ${p.seed} outside [0, ${MAX_SEED}]`,
  );
  check(Number.isInteger(p.step) && p.step >= 0 && p.step < 2 ** 32, i, `step ${p.step}`);
  check(
    Number.isInteger(n) && n >= 0 && n <= MAX_LOGPROBS,
    i,
    `numLogprobs ${n} outside [0, ${MAX_LOGPROBS}]`,
  );
}

/**
 * A GPU buffer of packed {@link SamplingParams} for up to `capacity`
 * sequences, with its host staging: {@link write} allocates nothing.
 */
export class SamplingParamsBuffer {
  /** u32 [capacity, 8]: bind it as the sampler's `params`. */
  readonly tensor: GpuTensor;
  readonly capacity: number;
  readonly #gpu: Gpu;
  readonly #staging: ArrayBuffer;
  readonly #view: DataView;

  constructor(gpu: Gpu, capacity: number) {
    this.#gpu = gpu;
    this.capacity = capacity;
    this.tensor = createTensor(gpu, 'u32', [capacity, SAMPLING_PARAMS_WORDS], 'sampling-params');
    this.#staging = new ArrayBuffer(this.tensor.byteLength);
    this.#view = new DataView(this.#staging);
  }

  /** Packs `params` (one per sequence, in batch order) and queues their upload. */
  write(params: readonly SamplingParams[]): void {
    if (params.length > this.capacity) {
      throw new Error(`${params.length} sequences exceed the params buffer's ${this.capacity}`);
    }
    packSamplingParams(params, this.#view);
    const bytes = params.length * SAMPLING_PARAMS_WORDS * 4;
    if (bytes)
      this.#gpu.device.queue.writeBuffer(this.tensor.buffer, this.tensor.offset, this.#staging, 0, bytes);
  }

  destroy(): void {
    this.tensor.buffer.destroy();
  }
}
