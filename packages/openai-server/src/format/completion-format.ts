/**
 * `text_completion` responses and stream chunks (OpenAI's legacy completions).
 * @module
 */
import { completionLogprobs } from './logprobs.js';
import { envelope, type FormatContext, type ResponseFormat } from './response-format.js';

/** The completions endpoint's shapes. */
export function completionFormat(ctx: FormatContext): ResponseFormat {
  const chunkBase = () => ({ ...envelope(ctx, 'text_completion'), ...(ctx.includeUsage && { usage: null }) });
  return {
    chunk({ state, text, offset }, output) {
      const tokens = output.logprobs ?? [];
      if (!text && !tokens.length && !output.finished) return undefined;
      const choice = {
        index: state.index,
        text,
        logprobs: ctx.logprobs ? completionLogprobs(ctx.tokenText, tokens, offset) : null,
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
        ...envelope(ctx, 'text_completion'),
        choices: choices.map((c) => ({
          index: c.index,
          text: c.text,
          // Echo with logprobs is refused, so the generated text starts at offset 0.
          logprobs: ctx.logprobs ? completionLogprobs(ctx.tokenText, c.logprobs, 0) : null,
          finish_reason: c.finishReason,
          stop_reason: c.stopReason ?? null,
        })),
        usage,
      };
    },
  };
}
