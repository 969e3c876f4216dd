/**
 * `POST /v1/chat/completions`: messages rendered with the model's chat
 * template, `n` choices, streamed or not.
 * @module
 */
import type { ChatMessage } from '@x/engine';
import type { Handler } from 'hono';
import type { AppEnv } from '../app-env.js';
import { badRequest } from '../errors.js';
import { renderChat } from '../chat-prompt.js';
import { chatFormat } from '../format/chat-format.js';
import { formatContext } from '../format/response-format.js';
import { respondJson } from '../generation/respond-json.js';
import { respondStream } from '../generation/respond-stream.js';
import { startGeneration } from '../generation/start-generation.js';
import { chatRequestSchema } from '../schemas/chat-request.js';
import { parseJsonBody } from '../schemas/parse-body.js';
import { toSamplingOptions } from '../schemas/sampling.js';
import { resolveModel, type ServerContext } from '../server-context.js';

/** The chat completions handler. */
export function chatCompletionsHandler(ctx: ServerContext): Handler<AppEnv> {
  return async (c) => {
    const body = await parseJsonBody(c, chatRequestSchema);
    const model = resolveModel(ctx, body.model);
    if (body.top_logprobs !== undefined && body.logprobs !== true) {
      throw badRequest('top_logprobs requires logprobs to be true', 'top_logprobs');
    }
    const sampling = toSamplingOptions(body, {
      maxTokens: body.max_completion_tokens ?? body.max_tokens,
      logprobs: body.logprobs ? (body.top_logprobs ?? 0) : undefined,
    });
    const promptIds = await ctx.engine.encodePrompt(renderChat(ctx, body.messages as ChatMessage[]), true);
    const stream = body.stream === true;
    const journey = c.get('journey');
    const generation = startGeneration(ctx, journey, c.req.raw.signal, {
      prompts: [promptIds],
      sampling,
      model,
      stream,
      priority: body.priority,
    });
    const includeUsage = body.stream_options?.include_usage === true;
    const format = chatFormat(
      formatContext(journey, ctx.tokenText, { model, includeUsage, logprobs: body.logprobs === true }),
    );
    return stream
      ? respondStream(c, ctx.streamLimits, generation, format, includeUsage)
      : respondJson(c, generation, format);
  };
}
