/**
 * A streamed response (SSE): a chunk per new piece of text, the finishing
 * chunks, the usage chunk when asked, then `data: [DONE]`. An error after
 * the headers went out becomes a `data: {"error": …}` frame before `[DONE]`.
 * A client that disconnects aborts the engine requests at once (through the
 * request's signal, which `startGeneration` passed to the engine).
 * @module
 */
import type { Context } from 'hono';
import { streamSSE, type SSEStreamingApi } from 'hono/streaming';
import type { AppEnv } from '../app-env.js';
import { errorBody, toApiError } from '../errors.js';
import type { ResponseFormat } from '../format/response-format.js';
import { ChoiceTracker } from './choices.js';
import { CLIENT_GONE, CLIENT_GONE_STATUS, outputFailure } from './outcome.js';
import type { Generation } from './start-generation.js';

const send = (sse: SSEStreamingApi, payload: object) => sse.writeSSE({ data: JSON.stringify(payload) });

/** Streams `generation` as `format`'s chunks. */
export function respondStream(
  c: Context<AppEnv>,
  generation: Generation,
  format: ResponseFormat,
  includeUsage: boolean,
  prefix?: (prompt: number) => string,
): Response {
  const journey = c.get('journey');
  const signal = c.req.raw.signal;
  return streamSSE(c, async (sse) => {
    const choices = new ChoiceTracker(generation.choices, prefix);
    try {
      for await (const item of generation.outputs) {
        const failure = outputFailure(item.output, signal);
        if (failure === CLIENT_GONE) {
          journey.abort(CLIENT_GONE, CLIENT_GONE_STATUS, choices.completionTokens);
          return;
        }
        if (failure) throw failure;
        const chunk = format.chunk(choices.add(item), item.output);
        if (chunk) await send(sse, chunk);
      }
      if (includeUsage) await send(sse, format.usageChunk(choices.usage(generation.promptTokens)));
      journey.depart(choices.result());
    } catch (error) {
      const apiError = toApiError(error);
      c.set('apiError', apiError);
      await send(sse, errorBody(apiError));
      journey.abort(apiError.message, apiError.status, choices.completionTokens);
    }
    await sse.writeSSE({ data: '[DONE]' });
  });
}
