/**
 * `POST /v1/responses`: OpenAI's Responses API for plain text generation.
 * The input is rendered with the chat template and generated as a chat
 * completion is; the reply is one assistant message, streamed as typed
 * events or not. Tools, stored responses and non-text inputs are 400s.
 * @module
 */
import type { Handler } from 'hono';
import type { AppEnv } from '../app-env.js';
import { ApiError, badRequest, renamingParam } from '../errors.js';
import { renderChat } from '../chat-prompt.js';
import { formatContext } from '../format/response-format.js';
import { responsesFormat } from '../format/responses-format.js';
import { respondJson } from '../generation/respond-json.js';
import { respondStream } from '../generation/respond-stream.js';
import { startGeneration } from '../generation/start-generation.js';
import { parseJsonBody } from '../schemas/parse-body.js';
import { refuseUnsupported, responsesRequestSchema, toChatMessages } from '../schemas/responses-request.js';
import { toSamplingOptions } from '../schemas/sampling.js';
import { resolveModel, type ServerContext } from '../server-context.js';

/** The responses handler. */
export function responsesHandler(ctx: ServerContext): Handler<AppEnv> {
  return async (c) => {
    const body = await parseJsonBody(c, responsesRequestSchema);
    refuseUnsupported(body);
    const model = resolveModel(ctx, body.model);
    const sampling = toSamplingOptions(body, { maxTokens: body.max_output_tokens, logprobs: undefined });
    const prompt = renderInput(ctx, toChatMessages(body));
    const promptIds = await ctx.engine.encodePrompt(prompt, true);
    const stream = body.stream === true;
    const journey = c.get('journey');
    // The engine checks the output length as `max_tokens`; here the client set `max_output_tokens`.
    const generation = renamingParam({ max_tokens: 'max_output_tokens' }, () =>
      startGeneration(ctx, journey, c.req.raw.signal, {
        prompts: [promptIds],
        sampling,
        model,
        stream,
        priority: body.priority,
      }),
    );
    const format = responsesFormat(
      formatContext(journey, ctx.tokenText, { model, includeUsage: false, logprobs: false }),
      {
        instructions: body.instructions,
        maxOutputTokens: body.max_output_tokens,
        temperature: body.temperature,
        topP: body.top_p,
        metadata: body.metadata,
      },
    );
    return stream
      ? respondStream(c, ctx.streamLimits, generation, format, false)
      : respondJson(c, generation, format);
  };
}

/** The chat template's rendering of the input; its errors name `input`, the field the messages came from. */
function renderInput(ctx: ServerContext, messages: ReturnType<typeof toChatMessages>): string {
  try {
    return renderChat(ctx, { messages });
  } catch (error) {
    if (error instanceof ApiError && error.param === 'messages') throw badRequest(error.message, 'input');
    throw error;
  }
}
