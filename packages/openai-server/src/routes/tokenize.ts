/**
 * `POST /tokenize` and `POST /detokenize`, in vLLM's shapes.
 * @module
 */
import type { Handler } from 'hono';
import type { AppEnv } from '../app-env.js';
import { renderChat } from '../chat-prompt.js';
import { badRequest } from '../errors.js';
import { JSON_SLICE, jsonArraySlices, utf8Stream } from '../format/json-slices.js';
import { parseJsonBody } from '../schemas/parse-body.js';
import { detokenizeRequestSchema, tokenizeRequestSchema } from '../schemas/tokenize-request.js';
import { resolveModel, type ServerContext } from '../server-context.js';

/**
 * Text or chat messages to `{count, max_model_len, tokens, token_strs}`. As vLLM, a text longer
 * than the context is tokenized whole; the work and a large response are cut into slices so that
 * other requests go on meanwhile.
 */
export function tokenizeHandler(ctx: ServerContext): Handler<AppEnv> {
  const { tokenizer } = ctx.engine;
  const tokenStr = (id: number) => ctx.tokenText.of(id).text;
  return async (c) => {
    const body = await parseJsonBody(c, tokenizeRequestSchema);
    resolveModel(ctx, body.model);
    const tokens =
      body.messages === undefined
        ? await tokenizer.encodeAsync(body.prompt!, { addSpecialTokens: body.add_special_tokens ?? true })
        : await tokenizer.encodeAsync(renderChat(ctx, { ...body, messages: body.messages }), {
            parseSpecial: true,
          });
    const head = { count: tokens.length, max_model_len: ctx.engine.maxModelLen };
    if (tokens.length <= JSON_SLICE) {
      const token_strs = body.return_token_strs ? tokens.map(tokenStr) : null;
      return c.json({ ...head, tokens, token_strs });
    }
    const chunks = async function* () {
      yield `${JSON.stringify(head).slice(0, -1)},"tokens":`;
      yield* jsonArraySlices(tokens, (id) => id);
      yield ',"token_strs":';
      if (body.return_token_strs) yield* jsonArraySlices(tokens, tokenStr);
      else yield 'null';
      yield '}';
    };
    return c.body(utf8Stream(chunks()), 200, { 'Content-Type': 'application/json' });
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
