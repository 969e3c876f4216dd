/**
 * OpenAI-shaped errors (`{error: {message, type, param, code}}`, vLLM's
 * layout with the HTTP status as `code`) and the mapping from whatever was
 * thrown to one of them.
 * @module
 */
import { EngineInputError } from '@x/engine';
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { AppEnv } from './app-env.js';

/** An error the API reports to the client. */
export class ApiError extends Error {
  readonly status: ContentfulStatusCode;
  /** OpenAI's `error.type` (`BadRequestError`, `NotFoundError`…). */
  readonly type: string;
  /** The offending request field, when one is to blame. */
  readonly param: string | null;
  /** Extra response headers (`Retry-After`). */
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    status: ContentfulStatusCode,
    type: string,
    message: string,
    param: string | null = null,
    headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.type = type;
    this.param = param;
    this.headers = headers;
  }
}

/** 400: a malformed body or a parameter out of range. */
export const badRequest = (message: string, param: string | null = null): ApiError =>
  new ApiError(400, 'BadRequestError', message, param);

/** 404: an unknown model or route. */
export const notFound = (message: string): ApiError => new ApiError(404, 'NotFoundError', message);

/** 405 with `Allow`: a known route asked with another method. */
export const methodNotAllowed = (method: string, path: string, allowed: readonly string[]): ApiError =>
  new ApiError(
    405,
    'MethodNotAllowedError',
    `${method} ${path} is not allowed; use ${allowed.join(' or ')}`,
    null,
    {
      Allow: allowed.join(', '),
    },
  );

/** 401: a missing or wrong API key. */
export const unauthorized = (): ApiError => new ApiError(401, 'AuthenticationError', 'Unauthorized');

/** 503 with `Retry-After`: the engine's queue is full or the server is shutting down. */
export const unavailable = (message: string, retryAfterSeconds = 1): ApiError =>
  new ApiError(503, 'ServiceUnavailableError', message, null, { 'Retry-After': String(retryAfterSeconds) });

/** 500: a fault of the server or the model. */
export const internalError = (message: string): ApiError => new ApiError(500, 'InternalServerError', message);

/** The JSON body of an error response (also the payload of an SSE error frame). */
export function errorBody(error: ApiError) {
  return { error: { message: error.message, type: error.type, param: error.param, code: error.status } };
}

/** Maps anything thrown while serving a request to the error the client sees. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof EngineInputError) return badRequest(error.message, error.param ?? null);
  if (error instanceof HTTPException) return new ApiError(error.status, 'HTTPException', error.message);
  return internalError(error instanceof Error ? error.message : String(error));
}

/**
 * Runs `run`, reporting an engine parameter error under the request field that set it (`names`
 * maps engine names to fields), in its `param` and its message.
 */
export function renamingParam<T>(names: Readonly<Record<string, string>>, run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (!(error instanceof EngineInputError) || error.param === undefined) throw error;
    const field = names[error.param];
    if (field === undefined) throw error;
    throw badRequest(error.message.replace(new RegExp(`\\b${error.param}\\b`, 'g'), field), field);
  }
}

/** Sends `error` and records it for the request's journey and log line. */
export function errorResponse(c: Context<AppEnv>, error: ApiError): Response {
  c.set('apiError', error);
  return c.json(errorBody(error), error.status, error.headers);
}
