/**
 * The sampling parameters a caller passes to `generate` (vLLM's, in
 * camelCase), their defaults and their validation.
 * @module
 */
import {
  MAX_LOGPROBS,
  MAX_REPETITION_PENALTY,
  MAX_SEED,
  MAX_TOP_K,
  MIN_REPETITION_PENALTY,
} from '@x/kernels-webgpu';
import type { PenaltySettings, RequestSampling } from './engine-core.js';
import { EngineInputError } from './errors.js';

/** What a caller may ask of a generation. */
export interface SamplingOptions {
  /** Most tokens to generate; default: until EOS or the context is full. */
  readonly maxTokens?: number;
  /**
   * Tokens to generate before EOS or stop tokens may end the sequence; at most `maxTokens`, or
   * without it what the context leaves after the prompt.
   */
  readonly minTokens?: number;
  /** 0 = greedy; default 1. */
  readonly temperature?: number;
  /** Nucleus sampling mass in (0, 1]; default 1 (off). */
  readonly topP?: number;
  /** Keep the k most likely tokens; 0 or -1 = off (default); at most 2^31 - 1. */
  readonly topK?: number;
  /** Keep tokens with probability ≥ minP × the top one; default 0 (off). */
  readonly minP?: number;
  /** Makes sampling reproducible, 0..2^53 - 1; sequence i of n uses seed + i (past 2^53 - 1, from 0 again). */
  readonly seed?: number;
  /** Strings that end the sequence; they are not included in the text. */
  readonly stop?: readonly string[];
  /** Token ids that end the sequence (after minTokens). */
  readonly stopTokenIds?: readonly number[];
  /** Keep going past EOS. */
  readonly ignoreEos?: boolean;
  /** Return each token's log-probability and this many top alternatives (0..20). */
  readonly logprobs?: number;
  /**
   * Score the prompt: each prompt token's log-probability and this many top alternatives (0..20),
   * with each sequence's first output. Such a request computes its whole prompt (no prefix cache).
   */
  readonly promptLogprobs?: number;
  /** Sequences to generate for the prompt; default 1. */
  readonly n?: number;
  /** Include the matched stop string in the text. */
  readonly includeStopStrInOutput?: boolean;
  /** Subtracted once from the logit of every token the output already holds, -2..2; default 0. */
  readonly presencePenalty?: number;
  /** Subtracted from a token's logit per occurrence in the output so far, -2..2; default 0. */
  readonly frequencyPenalty?: number;
  /** 1e-6..1e6: above 1 discourages, below 1 favours the tokens of the prompt and output (vLLM's); default 1. */
  readonly repetitionPenalty?: number;
  /** Token id → value added to its logit, -100..100 (OpenAI's `logit_bias`). */
  readonly logitBias?: Readonly<Record<number, number>>;
}

/** {@link SamplingOptions} with defaults filled in and validated. */
export interface NormalizedSampling {
  readonly maxTokens: number | undefined;
  readonly minTokens: number;
  readonly temperature: number;
  readonly topP: number;
  readonly topK: number;
  readonly minP: number;
  readonly seed: number | undefined;
  readonly stop: readonly string[];
  readonly stopTokenIds: readonly number[];
  readonly ignoreEos: boolean;
  readonly logprobs: number | undefined;
  readonly promptLogprobs: number | undefined;
  readonly n: number;
  readonly includeStopStrInOutput: boolean;
  readonly presencePenalty: number;
  readonly frequencyPenalty: number;
  readonly repetitionPenalty: number;
  readonly logitBias: ReadonlyMap<number, number> | undefined;
}

/** Most sequences one request may ask for. */
export const MAX_N = 16;

function int(
  value: number | undefined,
  param: string,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new EngineInputError(`${param} must be an integer in [${min}, ${max}] (got ${value})`, param);
  }
  return value;
}

function real(
  value: number | undefined,
  param: string,
  ok: (v: number) => boolean,
  range: string,
): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || !ok(value)) {
    throw new EngineInputError(`${param} must be ${range} (got ${value})`, param);
  }
  return value;
}

/**
 * Fills defaults and validates; throws {@link EngineInputError} naming the parameter. `maxLogprobs`
 * (vLLM's `--max-logprobs`) caps `logprobs` and `prompt_logprobs` below the sampler's {@link MAX_LOGPROBS}.
 */
export function normalizeParams(o: SamplingOptions, maxLogprobs = MAX_LOGPROBS): NormalizedSampling {
  const maxTokens = int(o.maxTokens, 'max_tokens', 1);
  const minTokens = int(o.minTokens, 'min_tokens', 0) ?? 0;
  if (maxTokens !== undefined && minTokens > maxTokens) {
    throw new EngineInputError(
      `min_tokens (${minTokens}) must not exceed max_tokens (${maxTokens})`,
      'min_tokens',
    );
  }
  const stop = o.stop ?? [];
  if (stop.some((s) => typeof s !== 'string' || s.length === 0)) {
    throw new EngineInputError('stop strings must be non-empty strings', 'stop');
  }
  const stopTokenIds = o.stopTokenIds ?? [];
  stopTokenIds.forEach((id, i) => int(id, `stop_token_ids[${i}]`, 0));
  return {
    maxTokens,
    minTokens,
    temperature: real(o.temperature, 'temperature', (v) => v >= 0 && v <= 100, 'in [0, 100]') ?? 1,
    topP: real(o.topP, 'top_p', (v) => v > 0 && v <= 1, 'in (0, 1]') ?? 1,
    topK: int(o.topK, 'top_k', -1, MAX_TOP_K) ?? 0,
    minP: real(o.minP, 'min_p', (v) => v >= 0 && v <= 1, 'in [0, 1]') ?? 0,
    seed: int(o.seed, 'seed', 0, MAX_SEED),
    stop,
    stopTokenIds,
    ignoreEos: o.ignoreEos ?? false,
    logprobs: int(o.logprobs, 'logprobs', 0, maxLogprobs),
    promptLogprobs: int(o.promptLogprobs, 'prompt_logprobs', 0, maxLogprobs),
    n: int(o.n, 'n', 1, MAX_N) ?? 1,
    includeStopStrInOutput: o.includeStopStrInOutput ?? false,
    presencePenalty: penalty(o.presencePenalty, 'presence_penalty') ?? 0,
    frequencyPenalty: penalty(o.frequencyPenalty, 'frequency_penalty') ?? 0,
    repetitionPenalty:
      real(
        o.repetitionPenalty,
        'repetition_penalty',
        (v) => v >= MIN_REPETITION_PENALTY && v <= MAX_REPETITION_PENALTY,
        `in [${MIN_REPETITION_PENALTY}, ${MAX_REPETITION_PENALTY}]`,
      ) ?? 1,
    logitBias: logitBias(o.logitBias),
  };
}

/** The sampler's parameters for sequence `index` of a request whose seed (given or drawn) is `seed`. */
export function sequenceSampling(p: NormalizedSampling, seed: number, index: number): RequestSampling {
  return {
    temperature: p.temperature,
    topK: p.topK,
    topP: p.topP,
    minP: p.minP,
    // seed + index, from 0 again past MAX_SEED (every operand stays an exact integer).
    seed: index <= MAX_SEED - seed ? seed + index : seed - (MAX_SEED + 1 - index),
    numLogprobs: p.logprobs ?? 0,
  };
}

/** The penalties and bias of `p` as the core takes them; undefined when none changes a logit. */
export function penaltySettings(p: NormalizedSampling): PenaltySettings | undefined {
  const { presencePenalty, frequencyPenalty, repetitionPenalty, logitBias } = p;
  if (presencePenalty === 0 && frequencyPenalty === 0 && repetitionPenalty === 1 && !logitBias)
    return undefined;
  return { presencePenalty, frequencyPenalty, repetitionPenalty, logitBias };
}

const penalty = (value: number | undefined, param: string) =>
  real(value, param, (v) => v >= -2 && v <= 2, 'in [-2, 2]');

function logitBias(
  bias: Readonly<Record<number, number>> | undefined,
): ReadonlyMap<number, number> | undefined {
  if (bias === undefined) return undefined;
  const map = new Map<number, number>();
  for (const [key, value] of Object.entries(bias)) {
    const token = Number(key);
    if (!/^\d+$/.test(key) || !Number.isSafeInteger(token))
      throw new EngineInputError(
        `logit_bias keys must be token ids (got ${JSON.stringify(key)})`,
        'logit_bias',
      );
    if (typeof value !== 'number' || !(value >= -100 && value <= 100))
      throw new EngineInputError(
        `logit_bias values must be in [-100, 100] (got ${value} for ${key})`,
        'logit_bias',
      );
    map.set(token, value);
  }
  return map.size > 0 ? map : undefined;
}
