/**
 * Text prompts to token ids for generation, without holding the event loop: the tokenizer works in
 * slices with other requests served between them, and stops as soon as the prompt is longer than
 * the context, so a multi-megabyte prompt is refused after its first few kilobytes.
 * @module
 */
import { badRequest } from './errors.js';
import type { ServerContext } from './server-context.js';

/**
 * The ids of `text`, or a 400 (`input_tokens`, as the engine's own length check) when it has more
 * tokens than the model's context length. `parseSpecial` for text rendered from a chat template.
 */
export async function promptIds(ctx: ServerContext, text: string, parseSpecial = false): Promise<number[]> {
  const max = ctx.engine.maxModelLen;
  const ids = await ctx.engine.tokenizer.encodeAsync(text, { parseSpecial, maxTokens: max });
  if (ids.length > max) {
    throw badRequest(
      `This model's maximum context length is ${max} tokens. However, your prompt contains more than ` +
        `${max} input tokens. Please reduce the length of the input prompt.`,
      'input_tokens',
    );
  }
  return ids;
}
