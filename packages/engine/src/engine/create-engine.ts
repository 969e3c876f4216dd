/**
 * Builds a ready engine from a model file: weights and tokenizer loaded, the
 * KV cache allocated, the scheduler's block pool matched to it exactly.
 * @module
 */
import { readFileSync } from 'node:fs';
import { createGpu, type Gpu } from '@x/kernels-webgpu';
import { Scheduler, type SchedulerConfig, type SchedulingPolicy } from '@x/scheduler';
import { loadModel, readModelConfig, type LoadedModel } from '../model/load-model.js';
import { tokenizerSpecFromLlama2c } from '../tokenizer/llama2c.js';
import { tokenizerSpecFromMetadata } from '../tokenizer/spec.js';
import { Tokenizer } from '../tokenizer/tokenizer.js';
import type { KvCacheSize } from '../runner/kv-cache.js';
import { ModelRunner } from '../runner/model-runner.js';
import { AsyncEngine } from './async-engine.js';
import { EngineCore } from './engine-core.js';
import { resolveEngineConfig } from './engine-config.js';

/** Everything {@link createEngine} takes; vLLM's names where they exist. */
export interface EngineOptions {
  /** A GGUF or llama2.c checkpoint path, or a model already loaded. */
  readonly model: string | LoadedModel;
  /** llama2.c's `tokenizer.bin` (GGUF files carry their own tokenizer). */
  readonly tokenizer?: string;
  /** A device to use; by default one is created (and destroyed by `shutdown`). */
  readonly gpu?: Gpu;
  /** Tokens per KV block; default 16. */
  readonly blockSize?: number;
  /** KV cache size: bytes (default 256 MiB) or an exact block count; it must hold one sequence of `maxModelLen`. */
  readonly kvCache?: KvCacheSize;
  /** Default 64. */
  readonly maxNumSeqs?: number;
  /** Token budget per step; default 2048. */
  readonly maxNumBatchedTokens?: number;
  /** Default: the model's context length. */
  readonly maxModelLen?: number;
  /** Default true. */
  readonly enablePrefixCaching?: boolean;
  /** Default true. */
  readonly enableChunkedPrefill?: boolean;
  readonly longPrefillTokenThreshold?: number;
  readonly schedulingPolicy?: SchedulingPolicy;
  /**
   * vLLM's `--seed`: requests that give no seed get seeds drawn from a sequence started here, so a
   * run is reproducible; default: each such request draws a random seed.
   */
  readonly seed?: number;
  /** vLLM's `--max-logprobs`: most `logprobs` / `prompt_logprobs` a request may ask for, 0..20; default 20. */
  readonly maxLogprobs?: number;
  /**
   * Run dummy steps before returning, so that every GPU pipeline a step can need is built before
   * the first request (default false; x-serve turns it on). On lavapipe with a cold shader cache
   * this moves seconds of compilation from the first requests to start-up.
   */
  readonly warmUp?: boolean;
  /** Upload progress in bytes, for a loading bar. */
  readonly onLoadProgress?: (done: number, total: number) => void;
}

/** A running engine and what it was built from. */
export interface Engine extends AsyncEngine {
  readonly model: LoadedModel;
  readonly runner: ModelRunner;
  /** Aborts every request in flight, waits for the loop, frees the GPU. */
  shutdown(): Promise<void>;
}

/**
 * Loads a model and starts an engine for it. Settings that cannot work (see
 * {@link resolveEngineConfig}) throw an `EngineConfigError` before any
 * weight is read.
 */
export async function createEngine(options: EngineOptions): Promise<Engine> {
  // Checked before any weight is read or a device is made; the device's binding limit can only
  // lower a memory budget's block count, so the settings are checked again with it.
  const shape = typeof options.model === 'string' ? readModelConfig(options.model) : options.model.config;
  resolveEngineConfig(options, shape, options.gpu?.limits);
  const model = typeof options.model === 'string' ? loadModel(options.model) : options.model;
  const tokenizer = loadTokenizer(model, options.tokenizer);
  const ownGpu = options.gpu === undefined;
  const gpu = options.gpu ?? (await createGpu());
  let config: SchedulerConfig;
  try {
    config = resolveEngineConfig(options, model.config, gpu.limits);
  } catch (error) {
    if (ownGpu) gpu.destroy();
    throw error;
  }
  const { blockSize, maxNumSeqs, maxModelLen } = config;
  const runner = new ModelRunner({
    gpu,
    model,
    blockSize,
    kvCache: { numBlocks: config.numBlocks },
    maxNumSeqs,
    onLoadProgress: options.onLoadProgress,
  });
  const scheduler = new Scheduler(config);
  if (options.warmUp) {
    await runner.warmUp({ maxNumSeqs, maxNumBatchedTokens: config.maxNumBatchedTokens, maxModelLen });
  }
  const core = new EngineCore(scheduler, runner);
  const engine = new AsyncEngine(core, tokenizer, maxModelLen, {
    seed: options.seed,
    maxLogprobs: options.maxLogprobs,
  });
  return Object.assign(engine, {
    model,
    runner,
    async shutdown() {
      const ids = scheduler.requestSnapshots().map((s) => s.requestId);
      for (const id of ids) core.finish(id, 'FINISHED_ABORTED', 'engine shut down');
      await core.idle();
      // A step with no sampled row submits without waiting; let the GPU finish before freeing its buffers.
      await gpu.device.queue.onSubmittedWorkDone();
      runner.destroy();
      if (ownGpu) gpu.destroy();
    },
  });
}

/** The tokenizer a model comes with: from GGUF metadata, or llama2.c's separate file. */
export function loadTokenizer(model: LoadedModel, tokenizerPath?: string): Tokenizer {
  if (model.metadata) return new Tokenizer(tokenizerSpecFromMetadata((key) => model.metadata!.get(key)));
  if (!tokenizerPath)
    throw new Error('a llama2.c checkpoint needs its tokenizer.bin (the `tokenizer` option)');
  return new Tokenizer(
    tokenizerSpecFromLlama2c(readFileSync(tokenizerPath), tokenizerPath, model.config.vocabSize),
  );
}
