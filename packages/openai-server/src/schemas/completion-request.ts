/**
 * `POST /v1/completions` bodies.
 * @module
 */
import { z } from 'zod';
import { optional, samplingRequestSchema } from './sampling.js';

const tokenIds = z.array(z.int()).min(1);

/** A completion request; `prompt` is a string, strings, token ids, or lists of token ids. */
export const completionRequestSchema = samplingRequestSchema.extend({
  prompt: z.union([z.string(), z.array(z.string()).min(1), tokenIds, z.array(tokenIds).min(1)], {
    error:
      'prompt must be a string, a non-empty list of strings, a list of token ids, or a list of such lists',
  }),
  echo: optional(z.boolean()),
  /** The number of top alternatives per token (0 = the sampled token's log-probability only). */
  logprobs: optional(z.int()),
  suffix: optional(z.string()),
});

/** The parsed completion request. */
export type CompletionRequest = z.output<typeof completionRequestSchema>;
