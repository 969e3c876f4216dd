/**
 * `chat.completion` responses and `chat.completion.chunk` stream chunks.
 * @module
 */
import { chatLogprobs } from './logprobs.js';
import { envelope, type FormatContext, type ResponseFormat } from './response-format.js';

/** The chat endpoint's shapes; `role` is the reply's (vLLM: the last message's without a generation prompt). */
export function chatFormat(ctx: FormatContext, role = 'assistant'): ResponseFormat {
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
      const delta = first ? { role, content: text } : text ? { content: text } : {};
      const choice = {
        index: state.index,
        delta,
        logprobs,
        finish_reason: output.finished ? output.finishReason : null,
        stop_reason: output.finished ? (output.stopReason ?? null) : null,
      };
      return { ...chunkBase(), choices: [choice] };
    },
    usageChunk(usage) {
      return { ...chunkBase(), choices: [], usage };
    },
    response(choices, usage) {
      return {
        ...envelope(ctx, 'chat.completion'),
        choices: choices.map((c) => ({
          index: c.index,
          message: { role, content: c.text },
          logprobs: ctx.logprobs ? chatLogprobs(ctx.tokenText, c.logprobs) : null,
          finish_reason: c.finishReason,
          stop_reason: c.stopReason ?? null,
        })),
        usage,
      };
    },
  };
}
