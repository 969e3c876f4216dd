/**
 * `POST /v1/chat/completions` bodies.
 * @module
 */
import { z } from 'zod';
import { optional, samplingRequestSchema } from './sampling.js';

/** A content part; the chat template accepts only `{type: 'text', text}` and says so otherwise. */
const contentPart = z.looseObject({ type: z.string(), text: z.string().optional() });

const message = z.looseObject({
  role: z.string().min(1),
  content: z.union([z.string(), z.array(contentPart), z.null()]).optional(),
});

/** A chat completion request. */
export const chatRequestSchema = samplingRequestSchema.extend({
  messages: z.array(message).min(1, 'messages must contain at least one message'),
  /** OpenAI's newer name for max_tokens; it wins when both are given. */
  max_completion_tokens: optional(z.int()),
  logprobs: optional(z.boolean()),
  top_logprobs: optional(z.int()),
});

/** The parsed chat completion request. */
export type ChatRequest = z.output<typeof chatRequestSchema>;
