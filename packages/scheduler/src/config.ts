/**
 * Scheduler configuration: defaults (vLLM v1's where they exist) and
 * validation at construction, so a bad setting fails loudly once instead of
 * misbehaving at step 10 000.
 */
import type { SchedulingPolicy } from './request-queue.js';
import { describeValue, requireBoolean, requireInteger } from './validate.js';

/** A validated, frozen configuration. */
export interface SchedulerConfig {
  /** Most requests running at once (the batch's sequence count). */
  readonly maxNumSeqs: number;
  /** Token budget per step: prefill chunks plus one token per decoding request. */
  readonly maxNumBatchedTokens: number;
  /** The model's context length: prompt plus outputs never exceed it. */
  readonly maxModelLen: number;
  /** Tokens per KV block. */
  readonly blockSize: number;
  /** Blocks in the KV pool. */
  readonly numBlocks: number;
  /** Split long prompts across steps; when off, a prompt is computed whole or waits. */
  readonly enableChunkedPrefill: boolean;
  /** Cap on one request's prefill chunk per step, so long prompts cannot starve others (0 = no cap; needs chunking). */
  readonly longPrefillTokenThreshold: number;
  /** Waiting-queue order and preemption victim choice. */
  readonly policy: SchedulingPolicy;
  /** Reuse computed KV blocks across requests sharing a prefix. */
  readonly enablePrefixCaching: boolean;
}

/** Construction input: `numBlocks` and `maxModelLen` are required, everything else has a default. */
export type SchedulerConfigInput = Partial<SchedulerConfig> &
  Pick<SchedulerConfig, 'numBlocks' | 'maxModelLen'>;

/** Defaults for the optional settings (`maxNumBatchedTokens` defaults separately: see {@link resolveConfig}). */
export const DEFAULT_CONFIG = {
  maxNumSeqs: 256,
  blockSize: 16,
  enableChunkedPrefill: true,
  longPrefillTokenThreshold: 0,
  policy: 'fcfs',
  enablePrefixCaching: true,
} as const satisfies Partial<SchedulerConfig>;

/** Token budget used when none is given and chunked prefill is on (vLLM's default). */
export const DEFAULT_CHUNKED_TOKEN_BUDGET = 2048;

const CONFIG_KEYS: readonly string[] = [
  'maxNumSeqs',
  'maxNumBatchedTokens',
  'maxModelLen',
  'blockSize',
  'numBlocks',
  'enableChunkedPrefill',
  'longPrefillTokenThreshold',
  'policy',
  'enablePrefixCaching',
];

/** Longest sequence a request may reach: the model's context, or the whole KV pool if that is smaller. */
export function maxSequenceLength(
  config: Pick<SchedulerConfig, 'maxModelLen' | 'numBlocks' | 'blockSize'>,
): number {
  return Math.min(config.maxModelLen, config.numBlocks * config.blockSize);
}

/**
 * Fills defaults and validates; throws a RangeError/TypeError naming the field.
 * `extraKeys` are other option names the caller accepts (anything else is
 * reported as a likely typo). Without chunked prefill the budget defaults to,
 * and must be at least, the longest sequence, so every prompt (and every
 * recompute after preemption) fits in one step.
 */
export function resolveConfig(
  input: SchedulerConfigInput,
  extraKeys: readonly string[] = [],
): SchedulerConfig {
  for (const key of Object.keys(input)) {
    if (!CONFIG_KEYS.includes(key) && !extraKeys.includes(key)) {
      throw new TypeError(`unknown scheduler option ${describeValue(key)}`);
    }
  }
  const policy = input.policy ?? DEFAULT_CONFIG.policy;
  if (policy !== 'fcfs' && policy !== 'priority') {
    throw new RangeError(`policy must be "fcfs" or "priority" (got ${describeValue(policy)})`);
  }
  const base = {
    maxNumSeqs: requireInteger(input.maxNumSeqs ?? DEFAULT_CONFIG.maxNumSeqs, 'maxNumSeqs', 1),
    maxModelLen: requireInteger(input.maxModelLen, 'maxModelLen', 2),
    blockSize: requireInteger(input.blockSize ?? DEFAULT_CONFIG.blockSize, 'blockSize', 1),
    numBlocks: requireInteger(input.numBlocks, 'numBlocks', 1),
    enableChunkedPrefill: requireBoolean(
      input.enableChunkedPrefill ?? DEFAULT_CONFIG.enableChunkedPrefill,
      'enableChunkedPrefill',
    ),
    longPrefillTokenThreshold: requireInteger(
      input.longPrefillTokenThreshold ?? DEFAULT_CONFIG.longPrefillTokenThreshold,
      'longPrefillTokenThreshold',
      0,
    ),
    policy,
    enablePrefixCaching: requireBoolean(
      input.enablePrefixCaching ?? DEFAULT_CONFIG.enablePrefixCaching,
      'enablePrefixCaching',
    ),
  };
  const budget =
    input.maxNumBatchedTokens ??
    (base.enableChunkedPrefill ? DEFAULT_CHUNKED_TOKEN_BUDGET : maxSequenceLength(base));
  const config: SchedulerConfig = {
    ...base,
    maxNumBatchedTokens: requireInteger(budget, 'maxNumBatchedTokens', 1),
  };
  checkCombinations(config);
  return Object.freeze(config);
}

function checkCombinations(config: SchedulerConfig): void {
  if (config.longPrefillTokenThreshold > 0 && !config.enableChunkedPrefill) {
    throw new RangeError('longPrefillTokenThreshold > 0 requires enableChunkedPrefill');
  }
  const longest = maxSequenceLength(config);
  if (!config.enableChunkedPrefill && config.maxNumBatchedTokens < longest) {
    throw new RangeError(
      `without chunked prefill maxNumBatchedTokens (${config.maxNumBatchedTokens}) must be >= the longest ` +
        `sequence, min(maxModelLen, numBlocks × blockSize) = ${longest}, or long prompts could never run`,
    );
  }
}
