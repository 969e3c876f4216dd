/**
 * `POST /tokenize` and `POST /detokenize` bodies, as vLLM takes them.
 * @module
 */
import { z } from 'zod';
import { chatPromptFields } from './chat-request.js';
import { optional } from './sampling.js';

/** A prompt, or chat messages rendered with the chat template: exactly one of them. */
export const tokenizeRequestSchema = z
  .looseObject({
    model: optional(z.string()),
    prompt: optional(z.string()),
    ...chatPromptFields,
    messages: chatPromptFields.messages.optional(),
    add_special_tokens: optional(z.boolean()),
    return_token_strs: optional(z.boolean()),
  })
  .refine((body) => (body.prompt === undefined) !== (body.messages === undefined), {
    message: 'give either prompt or messages',
  });

/** Token ids to turn back into text. */
export const detokenizeRequestSchema = z.looseObject({
  model: optional(z.string()),
  tokens: z.array(z.int()),
});
