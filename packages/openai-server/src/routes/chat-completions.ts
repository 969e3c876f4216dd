/**
 * `POST /v1/chat/completions`: messages rendered with the model's chat
 * template, `n` choices, streamed or not.
 * @module
 */
import type { Handler } from 'hono';
import type { AppEnv } from '../app-env.js';
import { badRequest, renamingParam } from '../errors.js';
import { renderChat } from '../chat-prompt.js';
import { chatFormat } from '../format/chat-format.js';
import { formatContext } from '../format/response-format.js';
import { respondJson } from '../generation/respond-json.js';
import { respondStream } from '../generation/respond-stream.js';
import { startGeneration } from '../generation/start-generation.js';
import { chatRequestSchema, type ChatRequest } from '../schemas/chat-request.js';
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
    const promptIds = await ctx.engine.encodePrompt(renderChat(ctx, body), true);
    const stream = body.stream === true;
    const journey = c.get('journey');
    // The engine checks the number of alternatives as `logprobs`; here the client set `top_logprobs`.
    const generation = renamingParam({ logprobs: 'top_logprobs' }, () =>
      startGeneration(ctx, journey, c.req.raw.signal, {
        prompts: [promptIds],
        sampling,
        model,
        stream,
        priority: body.priority,
      }),
    );
    const includeUsage = body.stream_options?.include_usage === true;
    const { role, echo } = replyRole(body);
    const format = chatFormat(
      formatContext(journey, ctx.tokenText, { model, includeUsage, logprobs: body.logprobs === true }),
      role,
    );
    const prefix = echo === undefined ? undefined : () => echo;
    return stream
      ? respondStream(c, ctx.streamLimits, generation, format, includeUsage, prefix)
      : respondJson(c, generation, format, prefix);
  };
}

/**
 * As vLLM: the reply's role is the assistant's after a generation prompt, else the last message's;
 * with `echo`, the reply starts with the last message's content when that message has the reply's role.
 */
function replyRole(body: ChatRequest): { role: string; echo: string | undefined } {
  const last = body.messages.at(-1)!;
  const generationPrompt = body.add_generation_prompt ?? body.continue_final_message !== true;
  const role = generationPrompt ? 'assistant' : last.role;
  if (body.echo !== true || last.role !== role) return { role, echo: undefined };
  const { content } = last;
  const echo = typeof content === 'string' ? content : (content ?? []).map((p) => p.text ?? '').join('\n');
  return { role, echo };
}
