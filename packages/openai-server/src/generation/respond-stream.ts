/**
 * A streamed response (SSE): a chunk per new piece of text, the finishing
 * chunks, the usage chunk when asked, then `data: [DONE]`. An error after
 * the headers went out becomes a `data: {"error": …}` frame before `[DONE]`.
 * A format with typed events (the Responses API's) has them sent as named
 * SSE events around its chunks instead, and no `[DONE]`.
 * The chunks go through an {@link SseBody}, so the generation never waits for
 * the client: a client that disconnects, or stops reading until the stream's
 * limits are passed, has its engine requests aborted at once (through the
 * signal `startGeneration` passed to the engine) and is logged as 499.
 * @module
 */
import type { Context } from 'hono';
import type { AppEnv } from '../app-env.js';
import { errorBody, toApiError } from '../errors.js';
import type { ResponseFormat } from '../format/response-format.js';
import { ChoiceTracker } from './choices.js';
import { CLIENT_GONE, CLIENT_GONE_STATUS, outputFailure } from './outcome.js';
import { SseBody, type StreamLimits } from './sse-body.js';
import type { Generation } from './start-generation.js';

const SSE_HEADERS = {
  'Content-Type': 'text/event-stream',
  'Cache-Control': 'no-cache',
  Connection: 'keep-alive',
  'Transfer-Encoding': 'chunked',
};

/** Streams `generation` as `format`'s chunks, within `limits`. */
export function respondStream(
  c: Context<AppEnv>,
  limits: StreamLimits,
  generation: Generation,
  format: ResponseFormat,
  includeUsage: boolean,
  prefix?: (prompt: number) => string,
): Response {
  // Served by Node (`listen`): a client cut off loses its connection, as with nginx's send_timeout.
  const outgoing = c.env?.outgoing;
  const body = new SseBody(limits, {
    onFail: (reason) => generation.abort(reason),
    ...(outgoing && { cut: () => void outgoing.destroy() }),
  });
  void pump(c, body, generation, format, includeUsage, prefix);
  return c.body(body.stream, 200, SSE_HEADERS);
}

/** Moves the outputs into `body` and ends the request's journey once the client took them, or left. */
async function pump(
  c: Context<AppEnv>,
  body: SseBody,
  generation: Generation,
  format: ResponseFormat,
  includeUsage: boolean,
  prefix: ((prompt: number) => string) | undefined,
): Promise<void> {
  const journey = c.get('journey');
  const choices = new ChoiceTracker(generation.choices, prefix);
  const { typed } = format;
  const send = (payload: object) =>
    body.send(JSON.stringify(payload), typed && (payload as { type: string }).type);
  let gone = false;
  try {
    if (typed) typed.opening().forEach(send);
    for await (const item of generation.outputs) {
      const failure = outputFailure(item.output, generation.signal);
      if (failure === CLIENT_GONE) {
        gone = true;
        break;
      }
      if (failure) throw failure;
      const chunk = format.chunk(choices.add(item), item.output);
      if (chunk) send(chunk);
    }
    const usage = choices.usage(generation.promptTokens);
    if (!gone && typed) typed.closing(choices.choices, usage).forEach(send);
    else if (!gone && includeUsage) send(format.usageChunk(usage));
  } catch (error) {
    const apiError = toApiError(error);
    c.set('apiError', apiError);
    send(typed ? typed.error(apiError) : errorBody(apiError));
    journey.abort(apiError.message, apiError.status, choices.completionTokens);
  }
  if (gone) journey.abort(body.failure ?? CLIENT_GONE, CLIENT_GONE_STATUS, choices.completionTokens);
  else if (!typed) body.send('[DONE]');
  // The response is complete only once the client took all of it (a terminal event already sent wins).
  const unread = await body.end();
  if (unread === undefined) journey.depart(choices.result());
  else journey.abort(unread, CLIENT_GONE_STATUS, choices.completionTokens);
}
