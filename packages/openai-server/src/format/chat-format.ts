/**
 * `chat.completion` responses and `chat.completion.chunk` stream chunks.
 * @module
 */
import { chatLogprobs } from './logprobs.js';
import { envelope, type FormatContext, type ResponseFormat } from './response-format.js';

/** The chat endpoint's shapes. */
export function chatFormat(ctx: FormatContext): ResponseFormat {
  const chunkBase = () => ({
    ...envelope(ctx, 'chat.completion.chunk'),
    ...(ctx.includeUsage && { usage: null }),
  });
  return {
    chunk({ state, first, text }, output) {
      const logprobs =
        ctx.logprobs && output.logprobs?.length ? chatLogprobs(ctx.tokenText, output.logprobs) : null;
      if (!first && !text && !logprobs && !output.finished) return undefined;
      // The first chunk of each choice announces the role, as OpenAI's do.
      const delta = first ? { role: 'assistant', content: text } : text ? { content: text } : {};
      const finish = output.finished ? output.finishReason : null;
      return { ...chunkBase(), choices: [{ index: state.index, delta, logprobs, finish_reason: finish }] };
    },
    usageChunk(usage) {
      return { ...chunkBase(), choices: [], usage };
    },
    response(choices, usage) {
      return {
        ...envelope(ctx, 'chat.completion'),
        choices: choices.map((c) => ({
          index: c.index,
          message: { role: 'assistant', content: c.text },
          logprobs: ctx.logprobs ? chatLogprobs(ctx.tokenText, c.logprobs) : null,
          finish_reason: c.finishReason,
          stop_reason: c.stopReason ?? null,
        })),
        usage,
      };
    },
  };
}
