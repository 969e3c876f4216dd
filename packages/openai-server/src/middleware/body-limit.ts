/**
 * Request body size limit: Hono's body-limit with an OpenAI-shaped 413.
 * @module
 */
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AppEnv } from '../app-env.js';
import { ApiError, errorResponse } from '../errors.js';

/** Refuses bodies larger than `maxBytes`. */
export const jsonBodyLimit = (maxBytes: number): MiddlewareHandler<AppEnv> => {
  const error = new ApiError(
    413,
    'RequestTooLargeError',
    `the request body exceeds the limit of ${maxBytes} bytes`,
  );
  return bodyLimit({ maxSize: maxBytes, onError: (c) => errorResponse(c, error) });
};
