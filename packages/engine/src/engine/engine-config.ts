/**
 * The engine's settings checked together before any weight reaches the
 * device: the KV cache's block count, the scheduler's configuration, and
 * whether the cache can hold one sequence of the served context (vLLM
 * refuses to start otherwise, rather than cut every long output short).
 * @module
 */
import { MAX_LOGPROBS } from '@x/kernels-webgpu';
import { resolveConfig, type SchedulerConfig } from '@x/scheduler';
import type { ModelConfig } from '../model/model-config.js';
import { kvBytesPerBlock, kvCacheBlocks, type KvCacheSize } from '../runner/kv-cache.js';
import type { EngineOptions } from './create-engine.js';

/** Settings of {@link createEngine} that cannot work together; the message names the options. */
export class EngineConfigError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'EngineConfigError';
  }
}

const NO_DEVICE_LIMIT = { maxStorageBufferBindingSize: Infinity };

/** The KV cache when none is asked for: 256 MiB. */
export const DEFAULT_KV_CACHE: KvCacheSize = { memoryBytes: 256 * 2 ** 20 };

/**
 * The scheduler's configuration (its `numBlocks` the KV cache's) for
 * `options` on a model of `model` shape, on a device with `limits` (none
 * given: no device limit, for a check before the device is made). Throws an
 * {@link EngineConfigError} for a setting out of range, a combination the
 * scheduler refuses, or a cache too small for one sequence of `maxModelLen`.
 */
export function resolveEngineConfig(
  options: Omit<EngineOptions, 'model'>,
  model: ModelConfig,
  limits: Pick<GPUSupportedLimits, 'maxStorageBufferBindingSize'> = NO_DEVICE_LIMIT,
): SchedulerConfig {
  const blockSize = options.blockSize ?? 16;
  // vLLM refuses a served context longer than the model's rather than serve a shorter one.
  if (options.maxModelLen !== undefined && options.maxModelLen > model.maxSeqLen) {
    throw new EngineConfigError(
      `maxModelLen ${options.maxModelLen} is longer than the model's context of ${model.maxSeqLen} tokens: ` +
        `lower maxModelLen to at most ${model.maxSeqLen}, or leave it unset`,
    );
  }
  const { maxLogprobs } = options;
  if (
    maxLogprobs !== undefined &&
    !(Number.isInteger(maxLogprobs) && maxLogprobs >= 0 && maxLogprobs <= MAX_LOGPROBS)
  ) {
    throw new EngineConfigError(
      `maxLogprobs ${maxLogprobs} cannot be honoured: the sampler returns 0 to ${MAX_LOGPROBS} alternatives per token`,
    );
  }
  let config: SchedulerConfig;
  try {
    config = resolveConfig({
      blockSize,
      numBlocks: kvCacheBlocks(limits, model, blockSize, options.kvCache ?? DEFAULT_KV_CACHE),
      maxNumSeqs: options.maxNumSeqs ?? 64,
      maxNumBatchedTokens: options.maxNumBatchedTokens ?? 2048,
      maxModelLen: options.maxModelLen ?? model.maxSeqLen,
      enablePrefixCaching: options.enablePrefixCaching ?? true,
      enableChunkedPrefill: options.enableChunkedPrefill ?? true,
      ...(options.longPrefillTokenThreshold !== undefined && {
        longPrefillTokenThreshold: options.longPrefillTokenThreshold,
      }),
      ...(options.schedulingPolicy !== undefined && { policy: options.schedulingPolicy }),
    });
  } catch (error) {
    throw new EngineConfigError((error as Error).message, { cause: error });
  }
  const { numBlocks, maxModelLen } = config;
  if (numBlocks * blockSize < maxModelLen) {
    const needed = Math.ceil(maxModelLen / blockSize);
    const perBlock = kvBytesPerBlock(model, blockSize);
    throw new EngineConfigError(
      `the KV cache of ${numBlocks} blocks × ${blockSize} tokens = ${numBlocks * blockSize} tokens ` +
        `(${numBlocks * perBlock} bytes) cannot hold one sequence of maxModelLen ${maxModelLen} tokens, ` +
        `which needs ${needed} blocks (${needed * perBlock} bytes): give kvCache more blocks or memory, ` +
        'or lower maxModelLen',
    );
  }
  return config;
}
