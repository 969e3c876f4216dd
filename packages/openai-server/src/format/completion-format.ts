/**
 * `text_completion` responses and stream chunks (OpenAI's legacy completions).
 * @module
 */
import type { TokenLogprob } from '@x/engine';
import { completionLogprobs, type EchoedPrompt } from './logprobs.js';
import { envelope, type FormatContext, type ResponseFormat } from './response-format.js';

/**
 * The completions endpoint's shapes. With `echoTokens` (echo with logprobs), each choice's
 * log-probabilities start with its prompt's tokens and scores.
 */
export function completionFormat(
  ctx: FormatContext,
  echoTokens?: (prompt: number) => Omit<EchoedPrompt, 'scores'>,
): ResponseFormat {
  const echoed = (
    prompt: number,
    scores: readonly (TokenLogprob | null)[] | undefined,
  ): EchoedPrompt | undefined => (echoTokens && scores ? { ...echoTokens(prompt), scores } : undefined);
  const chunkBase = () => ({ ...envelope(ctx, 'text_completion'), ...(ctx.includeUsage && { usage: null }) });
  return {
    chunk({ state, text, offset, first }, output) {
      const tokens = output.logprobs ?? [];
      if (!text && !tokens.length && !output.finished) return undefined;
      const prompt = first ? echoed(state.prompt, output.promptLogprobs) : undefined;
      const choice = {
        index: state.index,
        text,
        logprobs: ctx.logprobs ? completionLogprobs(ctx.tokenText, tokens, offset, prompt) : null,
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
          logprobs: ctx.logprobs
            ? completionLogprobs(
                ctx.tokenText,
                c.logprobs,
                c.generatedFrom,
                echoed(c.prompt, c.promptLogprobs),
              )
            : null,
          finish_reason: c.finishReason,
          stop_reason: c.stopReason ?? null,
        })),
        usage,
      };
    },
  };
}
