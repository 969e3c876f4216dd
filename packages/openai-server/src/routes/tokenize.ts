/**
 * `POST /tokenize` and `POST /detokenize`, in vLLM's shapes.
 * @module
 */
import type { ChatMessage } from '@x/engine';
import type { Handler } from 'hono';
import type { AppEnv } from '../app-env.js';
import { renderPrompt } from '../chat-prompt.js';
import { badRequest } from '../errors.js';
import { parseJsonBody } from '../schemas/parse-body.js';
import { detokenizeRequestSchema, tokenizeRequestSchema } from '../schemas/tokenize-request.js';
import { resolveModel, type ServerContext } from '../server-context.js';

/** Text or chat messages to `{count, max_model_len, tokens, token_strs}`. */
export function tokenizeHandler(ctx: ServerContext): Handler<AppEnv> {
  const { tokenizer } = ctx.engine;
  return async (c) => {
    const body = await parseJsonBody(c, tokenizeRequestSchema);
    resolveModel(ctx, body.model);
    const tokens =
      body.prompt !== undefined
        ? tokenizer.encode(body.prompt, { addSpecialTokens: body.add_special_tokens ?? true })
        : renderPrompt(ctx, body.messages as ChatMessage[], body.add_generation_prompt ?? true);
    return c.json({
      count: tokens.length,
      max_model_len: ctx.engine.maxModelLen,
      tokens,
      token_strs: body.return_token_strs ? tokens.map((id) => ctx.tokenText.of(id).text) : null,
    });
  };
}

/** Token ids to `{prompt}`. */
export function detokenizeHandler(ctx: ServerContext): Handler<AppEnv> {
  const { tokenizer } = ctx.engine;
  return async (c) => {
    const body = await parseJsonBody(c, detokenizeRequestSchema);
    resolveModel(ctx, body.model);
    const bad = body.tokens.find((id) => id < 0 || id >= tokenizer.vocabSize);
    if (bad !== undefined)
      throw badRequest(`token id ${bad} is outside the vocabulary of ${tokenizer.vocabSize}`, 'tokens');
    return c.json({ prompt: tokenizer.decode(body.tokens) });
  };
}
