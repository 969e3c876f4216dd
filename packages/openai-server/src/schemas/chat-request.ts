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

/** How messages become a prompt (vLLM's fields, shared with `/tokenize`). */
export const chatPromptFields = {
  messages: z.array(message).min(1, 'messages must contain at least one message'),
  add_generation_prompt: optional(z.boolean()),
  continue_final_message: optional(z.boolean()),
  chat_template: optional(z.string()),
  chat_template_kwargs: optional(z.record(z.string(), z.unknown())),
};

/** The prompt fields, parsed. */
export type ChatPromptRequest = z.output<z.ZodObject<typeof chatPromptFields>>;

/** A chat completion request. */
export const chatRequestSchema = samplingRequestSchema.extend({
  ...chatPromptFields,
  /** vLLM's: the reply starts with the last message's content when that message has the reply's role. */
  echo: optional(z.boolean()),
  /** OpenAI's newer name for max_tokens; it wins when both are given. */
  max_completion_tokens: optional(z.int()),
  logprobs: optional(z.boolean()),
  top_logprobs: optional(z.int()),
});

/** The parsed chat completion request. */
export type ChatRequest = z.output<typeof chatRequestSchema>;
