/**
 * The model runner: turns a `SchedulerOutput` into sampled tokens with one
 * command submission and one small readback per step.
 * @module
 */
import {
  GPUBufferUsageFlags as Usage,
  GPUMapModeFlags as MapMode,
  KernelContext,
  SamplingRowError,
  TensorArena,
  writeTensor,
  type Gpu,
  type GpuTensor,
  type SamplingParams,
} from '@x/kernels-webgpu';
import type { LoadedModel } from '../model/load-model.js';
import { LlamaForward } from './forward.js';
import { uploadWeights, type GpuWeights } from './gpu-weights.js';
import { allocateKvCache, type KvCache, type KvCacheSize } from './kv-cache.js';
import { planPromptScores, PromptScorer, type PromptScores, type PromptScoring } from './prompt-scores.js';
import { StepEntryError } from './step-entry-error.js';
import { StepInputBuilder, type StepBatch } from './step-inputs.js';
import { StepSampler, type StepSampling } from './step-sampler.js';
import { warmUpSteps, type WarmUpLimits } from './warm-up.js';

/** How to build a {@link ModelRunner}. */
export interface ModelRunnerOptions {
  readonly gpu: Gpu;
  readonly model: LoadedModel;
  /** Tokens per KV block (the scheduler must use the same). */
  readonly blockSize: number;
  readonly kvCache: KvCacheSize;
  /** Most sequences in one step (sizes the sampling buffers). */
  readonly maxNumSeqs: number;
  /** Reports upload progress in bytes. */
  readonly onLoadProgress?: (done: number, total: number) => void;
}

/** What one step sampled, aligned with `output.scheduled`. Valid until the next {@link ModelRunner.execute}. */
export interface StepSamples {
  /** Sampled token per scheduled entry; -1 for entries that sample nothing this step. */
  readonly tokenIds: Int32Array;
  /** Log-probability of each sampled token under the raw model distribution (NaN where none). */
  readonly logprobs: Float32Array;
  /** Columns of {@link topIds} / {@link topLogprobs} (the most any entry asked for); 0 when none. */
  readonly topColumns: number;
  /** `[numScheduled, topColumns]` most likely tokens, most likely first; -1 past what an entry asked for. */
  readonly topIds: Int32Array;
  readonly topLogprobs: Float32Array;
  /** Prompt log-probabilities of the positions this step computed, for entries that asked. */
  readonly promptScores?: PromptScores;
}

/**
 * Where the last {@link ModelRunner.execute} spent its time, in µs of wall
 * clock. Everything but {@link waitUs} is host (CPU) work on the caller's thread.
 */
export interface RunnerStepTiming {
  /** Packing the step's inputs and gathering sampling parameters. */
  inputsUs: number;
  /** Uploading inputs, recording the forward pass and the sampler, submitting. */
  recordUs: number;
  /** Awaiting the readback's `mapAsync`: the GPU finishing the step (0 when nothing is sampled). */
  waitUs: number;
  /** Copying the readback out and scattering it into the result. */
  readbackUs: number;
}

/** Runs a loaded model on the GPU, step by step. */
export class ModelRunner {
  readonly gpu: Gpu;
  readonly kvCache: KvCache;
  readonly weights: GpuWeights;
  /** Timings of the last step, overwritten by each {@link execute} (same object, no allocation). */
  readonly lastStep: RunnerStepTiming = { inputsUs: 0, recordUs: 0, waitUs: 0, readbackUs: 0 };
  readonly #ctx: KernelContext;
  readonly #forward: LlamaForward;
  readonly #inputs: StepInputBuilder;
  readonly #arena: TensorArena;
  readonly #sampler: StepSampler;
  readonly #scorer: PromptScorer;
  readonly #sampledParams: StepSampling[] = [];
  #readback: GPUBuffer | undefined;

  constructor(options: ModelRunnerOptions) {
    const { gpu, model } = options;
    this.gpu = gpu;
    this.#ctx = new KernelContext(gpu);
    this.weights = uploadWeights(gpu, model.config, model.weights, options.onLoadProgress);
    this.kvCache = allocateKvCache(gpu, model.config, options.blockSize, options.kvCache);
    this.#forward = new LlamaForward(this.#ctx, model.config, this.weights, this.kvCache);
    this.#inputs = new StepInputBuilder(options.blockSize);
    this.#arena = new TensorArena(gpu);
    this.#sampler = new StepSampler(this.#ctx, this.#arena, options.maxNumSeqs, model.config.vocabSize);
    this.#scorer = new PromptScorer({
      gpu,
      arena: this.#arena,
      forward: this.#forward,
      sampler: this.#sampler.kernel,
      vocab: model.config.vocabSize,
    });
  }

  /**
   * Runs one step. `paramsFor(i)` gives the sampling parameters of
   * `output.scheduled[i]`; it is called only for entries that sample.
   * `scoringFor(i)`, when given, says which entries want their prompt
   * positions scored (prompt log-probabilities). Sampling parameters the
   * kernels cannot take throw a {@link StepEntryError} naming the entry,
   * before anything of the step is submitted.
   */
  async execute(
    output: StepBatch,
    paramsFor: (index: number) => StepSampling,
    scoringFor?: (index: number) => PromptScoring | undefined,
  ): Promise<StepSamples> {
    const timing = this.lastStep;
    const t0 = performance.now();
    timing.recordUs = timing.waitUs = timing.readbackUs = 0;
    const inputs = this.#inputs.build(output);
    const numScheduled = output.scheduled.length;
    const sampled = this.#sampledParams;
    sampled.length = 0;
    let cols = 0;
    for (let i = 0; i < inputs.numSampled; i++) {
      const p = paramsFor(inputs.sampleEntries[i]!);
      sampled.push(p);
      cols = Math.max(cols, p.numLogprobs ?? 0);
    }
    try {
      this.#sampler.write(sampled);
    } catch (error) {
      if (error instanceof SamplingRowError)
        throw new StepEntryError(inputs.sampleEntries[error.row]!, error);
      throw error;
    }
    const plan = scoringFor && planPromptScores(output, inputs.queryStart, scoringFor);
    const result = emptySamples(numScheduled, cols);
    const t1 = performance.now();
    timing.inputsUs = 1000 * (t1 - t0);
    if (inputs.numTokens === 0) return result;

    const a = this.#arena;
    const upload = (name: string, data: Int32Array): GpuTensor => {
      const t = a.get(name, 'i32', [data.length]);
      if (data.length) writeTensor(this.gpu, t, data);
      return t;
    };
    const forwardInputs = {
      numTokens: inputs.numTokens,
      numSampled: inputs.numSampled,
      maxContextLen: inputs.maxContextLen,
      tokenIds: upload('tokenIds', inputs.tokenIds),
      positions: upload('positions', inputs.positions),
      slotMapping: upload('slotMapping', inputs.slotMapping),
      queryStart: upload('queryStart', inputs.queryStart),
      contextLens: upload('contextLens', inputs.contextLens),
      blockTables: a.get('blockTables', 'i32', [inputs.numSeqs, inputs.maxBlocksPerSeq]),
      sampleRows: upload('sampleRows', inputs.sampleRows),
    };
    writeTensor(this.gpu, forwardInputs.blockTables, inputs.blockTables);

    const rec = this.#ctx.begin('step');
    const logits = this.#forward.record(rec, forwardInputs);
    if (inputs.numSampled === 0 && !plan) {
      this.gpu.device.queue.submit([rec.finish()]);
      timing.recordUs = 1000 * (performance.now() - t1);
      return result;
    }
    const n = inputs.numSampled;
    const out = {
      tokens: a.get('sampledTokens', 'i32', [n]),
      logprobs: a.get('sampledLogprobs', 'f32', [n]),
      ...(cols > 0 && {
        topIds: a.get('topIds', 'i32', [n, cols]),
        topLogprobs: a.get('topLogprobs', 'f32', [n, cols]),
      }),
    };
    if (n > 0) this.#sampler.record(rec, logits, out);
    const sampledParts = n > 0 ? [out.tokens, out.logprobs, out.topIds, out.topLogprobs] : [];
    const scoredParts = plan ? this.#scorer.record(rec, plan) : [];
    rec.endPass();
    const parts = [...sampledParts, ...scoredParts].filter((t) => t !== undefined);
    const bytes = parts.reduce((s, t) => s + t.byteLength, 0);
    const readback = this.#readbackBuffer(bytes);
    let at = 0;
    for (const t of parts) {
      rec.encoder.copyBufferToBuffer(t.buffer, t.offset, readback, at, t.byteLength);
      at += t.byteLength;
    }
    this.gpu.device.queue.submit([rec.finish()]);
    const t2 = performance.now();
    timing.recordUs = 1000 * (t2 - t1);
    await readback.mapAsync(MapMode.READ, 0, bytes);
    const t3 = performance.now();
    timing.waitUs = 1000 * (t3 - t2);
    const host = readback.getMappedRange(0, bytes).slice(0);
    readback.unmap();

    const tokens = new Int32Array(host, 0, n);
    const logprobs = new Float32Array(host, 4 * n, n);
    const topIds = new Int32Array(host, 8 * n, n * cols);
    const topLogprobs = new Float32Array(host, 8 * n + 4 * n * cols, n * cols);
    for (let i = 0; i < n; i++) {
      const e = inputs.sampleEntries[i]!;
      result.tokenIds[e] = tokens[i]!;
      result.logprobs[e] = logprobs[i]!;
      result.topIds.set(topIds.subarray(i * cols, (i + 1) * cols), e * cols);
      result.topLogprobs.set(topLogprobs.subarray(i * cols, (i + 1) * cols), e * cols);
    }
    timing.readbackUs = 1000 * (performance.now() - t3);
    if (!plan) return result;
    const sampledBytes = sampledParts.reduce((sum, t) => sum + (t?.byteLength ?? 0), 0);
    return { ...result, promptScores: PromptScorer.read(plan, host, sampledBytes) };
  }

  /** GPU pipelines built so far (after {@link warmUp}, serving should build none). */
  get numPipelines(): number {
    return this.#ctx.numPipelines;
  }

  /**
   * Runs dummy steps so that every pipeline a serving step can need is built before the first
   * request (on lavapipe a cold one costs up to a second of LLVM), as vLLM and llama.cpp warm up
   * at start-up. The steps write only into the KV cache, which no request owns yet. Returns the
   * number of steps run.
   */
  async warmUp(limits: WarmUpLimits): Promise<number> {
    const steps = warmUpSteps(limits, this.kvCache);
    const greedy: SamplingParams = { temperature: 0, seed: 0, step: 0, numLogprobs: 1 };
    for (const step of steps) await this.execute(step, () => greedy);
    return steps.length;
  }

  #readbackBuffer(bytes: number): GPUBuffer {
    if (!this.#readback || this.#readback.size < bytes) {
      this.#readback?.destroy();
      this.#readback = this.gpu.device.createBuffer({
        label: 'step-readback',
        size: Math.max(256, Math.ceil((bytes * 1.5) / 4) * 4),
        usage: Usage.MAP_READ | Usage.COPY_DST,
      });
    }
    return this.#readback;
  }

  /** Frees every GPU resource (the device stays). */
  destroy(): void {
    this.#forward.destroy();
    this.#arena.destroy();
    this.#sampler.destroy();
    this.#readback?.destroy();
    this.kvCache.destroy();
    this.weights.destroy();
    this.#ctx.destroy();
  }
}

function emptySamples(numScheduled: number, cols: number): StepSamples {
  return {
    tokenIds: new Int32Array(numScheduled).fill(-1),
    logprobs: new Float32Array(numScheduled).fill(NaN),
    topColumns: cols,
    topIds: new Int32Array(numScheduled * cols).fill(-1),
    topLogprobs: new Float32Array(numScheduled * cols).fill(-Infinity),
  };
}
