/**
 * The workload: how many tokens each request's prompt has and how many it
 * generates, drawn from the seed.
 *
 * - `fixed`: every request has `inputLen` prompt tokens and `outputLen` output tokens.
 * - `random`: lengths uniform in [len·(1 − rangeRatio), len·(1 + rangeRatio)], as vLLM's
 *   random dataset with `--random-range-ratio`.
 * - `chat`: log-normal lengths with means `inputLen` and `outputLen` (σ of the log:
 *   {@link CHAT_SIGMA}), the long right tail of real chat traffic such as ShareGPT;
 *   cut to [{@link CHAT_MIN_LEN}, {@link CHAT_MAX_FACTOR} × mean].
 * @module
 */
import { randomLogNormal } from 'd3-random';
import { seededSource, type Source } from './rng.js';

/** The workload shapes. */
export const WORKLOADS = ['fixed', 'random', 'chat'] as const;
export type WorkloadKind = (typeof WORKLOADS)[number];

/** σ of log(length) for the chat workload: prompts vary more than answers. */
export const CHAT_SIGMA = { input: 1.0, output: 0.8 } as const;
/** The chat workload's default means: ShareGPT's, as reported in the vLLM paper (161 in, 338 out). */
export const CHAT_DEFAULT_LENS = { input: 161, output: 338 } as const;
/** Chat lengths below this are raised to it (vLLM drops ShareGPT conversations under 4 tokens). */
export const CHAT_MIN_LEN = 4;
/** Chat lengths are cut at this multiple of the mean (σ = 1 puts 0.5% of draws beyond it). */
export const CHAT_MAX_FACTOR = 8;

/** What to draw. */
export interface WorkloadSpec {
  readonly kind: WorkloadKind;
  readonly numPrompts: number;
  /** Prompt tokens: the length (fixed), the centre (random) or the mean (chat). */
  readonly inputLen: number;
  /** Output tokens, as `inputLen`. */
  readonly outputLen: number;
  /** For `random`: the half-width of the range as a fraction of the length, in [0, 1). */
  readonly rangeRatio: number;
}

/** One request's lengths. */
export interface PlannedRequest {
  readonly index: number;
  /** Prompt tokens asked for. */
  readonly inputLen: number;
  /** Output tokens asked for (`max_tokens`). */
  readonly outputLen: number;
}

type Draw = (mean: number, side: 'input' | 'output') => number;

function uniformDraw(source: Source, ratio: number): Draw {
  return (len) => {
    const lo = Math.max(1, Math.floor(len * (1 - ratio)));
    const hi = Math.max(lo, Math.ceil(len * (1 + ratio)));
    return lo + Math.floor(source() * (hi - lo + 1));
  };
}

function logNormalDraw(source: Source): Draw {
  const logNormal = randomLogNormal.source(source);
  const draws = {
    input: (mean: number) => logNormal(Math.log(mean) - CHAT_SIGMA.input ** 2 / 2, CHAT_SIGMA.input),
    output: (mean: number) => logNormal(Math.log(mean) - CHAT_SIGMA.output ** 2 / 2, CHAT_SIGMA.output),
  };
  return (mean, side) => {
    const length = Math.round(draws[side](mean)());
    return Math.min(Math.max(length, CHAT_MIN_LEN), Math.ceil(CHAT_MAX_FACTOR * mean));
  };
}

/** The requests of `spec` under `seed`: the same seed gives the same lengths. */
export function planWorkload(spec: WorkloadSpec, seed: number): PlannedRequest[] {
  const source = seededSource(seed, 'lengths');
  const draw: Draw =
    spec.kind === 'fixed'
      ? (len) => len
      : spec.kind === 'random'
        ? uniformDraw(source, spec.rangeRatio)
        : logNormalDraw(source);
  return Array.from({ length: spec.numPrompts }, (_, index) => ({
    index,
    inputLen: draw(spec.inputLen, 'input'),
    outputLen: draw(spec.outputLen, 'output'),
  }));
}

/**
 * The requests with their lengths cut to fit a context of `maxModelLen`
 * tokens (prompt plus output, as the server checks them): the output first to
 * `maxModelLen - 1`, then the prompt to what is left. `capped` counts the
 * requests that changed.
 */
export function capToContext(
  planned: readonly PlannedRequest[],
  maxModelLen: number,
): { readonly requests: PlannedRequest[]; readonly capped: number } {
  let capped = 0;
  const requests = planned.map((q) => {
    const outputLen = Math.min(q.outputLen, maxModelLen - 1);
    const inputLen = Math.min(q.inputLen, maxModelLen - outputLen);
    if (inputLen === q.inputLen && outputLen === q.outputLen) return q;
    capped++;
    return { ...q, inputLen, outputLen };
  });
  return { requests, capped };
}
