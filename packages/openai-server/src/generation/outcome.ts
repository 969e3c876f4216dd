/**
 * What an engine output that ended a sequence means for the HTTP response:
 * nothing (a normal stop), the client having gone away, or an error to send.
 * @module
 */
import type { GenerationOutput } from '@x/engine';
import type { Context } from 'hono';
import type { AppEnv } from '../app-env.js';
import { badRequest, internalError, unavailable, type ApiError } from '../errors.js';

/** The client closed the connection: there is no one to answer. */
export const CLIENT_GONE = 'client disconnected';

/** HTTP status logged for requests whose client went away (nginx's convention). */
export const CLIENT_GONE_STATUS = 499;

/** Thrown where a request finds its client gone before it reached the engine: nothing is queued. */
export class ClientGoneError extends Error {
  constructor() {
    super(CLIENT_GONE);
    this.name = 'ClientGoneError';
  }
}

/** Ends the request of a client that went away, and sends nothing. */
export function clientGone(c: Context<AppEnv>, completionTokens = 0): Response {
  c.get('journey')?.abort(CLIENT_GONE, CLIENT_GONE_STATUS, completionTokens);
  return new Response(null, { status: CLIENT_GONE_STATUS });
}

/** The failure `output` reports, if any; `signal` tells a client's abort from a server's. */
export function outputFailure(
  output: GenerationOutput,
  signal: AbortSignal,
): ApiError | typeof CLIENT_GONE | undefined {
  if (!output.finished) return undefined;
  if (output.finishReason === 'error') return internalError(output.errorText ?? 'the generation failed');
  // An ignored request: its prompt can never fit the KV cache.
  if (output.errorText !== undefined) return badRequest(output.errorText, 'input_tokens');
  if (output.finishReason !== 'abort') return undefined;
  return signal.aborted ? CLIENT_GONE : unavailable('the request was aborted: the server is shutting down');
}
