/**
 * The request fields both generation endpoints share (OpenAI's plus vLLM's
 * extras), and their mapping to the engine's sampling options. Types are
 * checked here; ranges are checked by the engine, which names the parameter.
 * Unknown fields pass, as OpenAI's API ignores them.
 * @module
 */
import type { SamplingOptions } from '@x/engine';
import { z } from 'zod';
import { badRequest } from '../errors.js';

/** An optional field that also accepts `null` (what clients send for "unset"). */
export const optional = <T extends z.ZodType>(type: T) =>
  type.nullish().transform((value): z.output<T> | undefined => value ?? undefined);

/** Fields common to completions and chat completions. */
export const samplingRequestSchema = z.looseObject({
  model: optional(z.string()),
  max_tokens: optional(z.int()),
  temperature: optional(z.number()),
  top_p: optional(z.number()),
  top_k: optional(z.int()),
  min_p: optional(z.number()),
  n: optional(z.int()),
  best_of: optional(z.int()),
  seed: optional(z.int()),
  stop: optional(z.union([z.string(), z.array(z.string())])),
  stop_token_ids: optional(z.array(z.int())),
  ignore_eos: optional(z.boolean()),
  min_tokens: optional(z.int()),
  include_stop_str_in_output: optional(z.boolean()),
  presence_penalty: optional(z.number()),
  frequency_penalty: optional(z.number()),
  repetition_penalty: optional(z.number()),
  logit_bias: optional(z.record(z.string(), z.number())),
  priority: optional(z.int()),
  user: optional(z.string()),
  stream: optional(z.boolean()),
  stream_options: optional(z.looseObject({ include_usage: optional(z.boolean()) })),
});

/** The parsed shared fields. */
export type SamplingRequest = z.output<typeof samplingRequestSchema>;

/**
 * The engine's options for a request; `maxTokens` and `logprobs` come from
 * the endpoint's own fields.
 */
export function toSamplingOptions(
  body: SamplingRequest,
  endpoint: { maxTokens: number | undefined; logprobs: number | undefined },
): SamplingOptions {
  if (body.stream_options !== undefined && body.stream !== true) {
    throw badRequest('stream_options is only allowed when stream is true', 'stream_options');
  }
  // As vLLM V1: only the n sequences asked for are generated.
  if (body.best_of !== undefined && body.best_of !== 1) {
    throw badRequest('best_of is not supported; use n', 'best_of');
  }
  return {
    maxTokens: endpoint.maxTokens,
    minTokens: body.min_tokens,
    temperature: body.temperature,
    topP: body.top_p,
    topK: body.top_k,
    minP: body.min_p,
    seed: body.seed,
    stop: typeof body.stop === 'string' ? [body.stop] : body.stop,
    stopTokenIds: body.stop_token_ids,
    ignoreEos: body.ignore_eos,
    logprobs: endpoint.logprobs,
    n: body.n,
    includeStopStrInOutput: body.include_stop_str_in_output,
    presencePenalty: body.presence_penalty,
    frequencyPenalty: body.frequency_penalty,
    repetitionPenalty: body.repetition_penalty,
    logitBias: body.logit_bias,
  };
}
