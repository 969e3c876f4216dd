/**
 * `POST /v1/completions`: one or more prompts (text or token ids), `n`
 * choices each, streamed or not.
 * @module
 */
import { IncrementalDetokenizer, type Tokenizer } from '@x/engine';
import type { Handler } from 'hono';
import type { AppEnv } from '../app-env.js';
import { badRequest } from '../errors.js';
import { completionFormat } from '../format/completion-format.js';
import { formatContext } from '../format/response-format.js';
import { respondJson } from '../generation/respond-json.js';
import { respondStream } from '../generation/respond-stream.js';
import { startGeneration } from '../generation/start-generation.js';
import { completionRequestSchema, type CompletionRequest } from '../schemas/completion-request.js';
import { parseJsonBody } from '../schemas/parse-body.js';
import { toSamplingOptions } from '../schemas/sampling.js';
import { resolveModel, type ServerContext } from '../server-context.js';

/** The completions handler. */
export function completionsHandler(ctx: ServerContext): Handler<AppEnv> {
  return async (c) => {
    const body = await parseJsonBody(c, completionRequestSchema);
    const model = resolveModel(ctx, body.model);
    if (body.suffix) throw badRequest('suffix is not supported', 'suffix');
    const echoLogprobs = body.echo === true && body.logprobs !== undefined;
    const sampling = {
      // OpenAI's and vLLM's default for completions (chat runs to the end of the context).
      ...toSamplingOptions(body, { maxTokens: body.max_tokens ?? 16, logprobs: body.logprobs }),
      // Echo with logprobs scores the prompt too (OpenAI's legacy API; what evaluation harnesses use).
      ...(echoLogprobs && { promptLogprobs: body.logprobs }),
    };
    const prompts = await promptsOf(ctx, body.prompt);
    const stream = body.stream === true;
    const includeUsage = body.stream_options?.include_usage === true;
    const journey = c.get('journey');
    const generation = startGeneration(ctx, journey, c.req.raw.signal, {
      prompts: prompts.map((p) => p.ids),
      sampling,
      model,
      stream,
      priority: body.priority,
    });
    const format = completionFormat(
      formatContext(journey, ctx.tokenText, { model, includeUsage, logprobs: body.logprobs !== undefined }),
      echoLogprobs
        ? (prompt) => ({ tokenIds: prompts[prompt]!.ids, offsets: prompts[prompt]!.offsets() })
        : undefined,
    );
    const echo = body.echo ? (prompt: number) => prompts[prompt]!.text() : undefined;
    return stream
      ? respondStream(c, ctx.streamLimits, generation, format, includeUsage, echo)
      : respondJson(c, generation, format, echo);
  };
}

/**
 * Each prompt's token ids (a text longer than the context is refused once that is known, without
 * tokenizing the rest), and for `echo` its text (decoded when given as ids) and where each
 * token starts in it; both computed once, on first use, whatever the number of choices.
 */
async function promptsOf(ctx: ServerContext, prompt: CompletionRequest['prompt']) {
  const { tokenizer } = ctx.engine;
  const list: (string | number[])[] =
    typeof prompt === 'string'
      ? [prompt]
      : typeof prompt[0] === 'number'
        ? [prompt as number[]]
        : (prompt as (string | number[])[]);
  const all: number[][] = [];
  for (const p of list) all.push(typeof p === 'string' ? await ctx.engine.encodePrompt(p) : p);
  return list.map((p, i) => {
    const ids = all[i]!;
    let text: string | undefined;
    let offsets: number[] | undefined;
    return {
      ids,
      text: () => (text ??= typeof p === 'string' ? p : tokenizer.decode(p)),
      offsets: () => (offsets ??= textOffsets(tokenizer, ids)),
    };
  });
}

/** Where each token's text starts in the decoded prompt (the text `echo` repeats). */
function textOffsets(tokenizer: Tokenizer, ids: readonly number[]): number[] {
  const detok = new IncrementalDetokenizer(tokenizer);
  let length = 0;
  return ids.map((id) => {
    const at = length;
    length += detok.push(id).length;
    return at;
  });
}
