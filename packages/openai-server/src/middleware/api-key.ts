/**
 * API-key check (`Authorization: Bearer <key>`), as vLLM's `--api-key`:
 * Hono's bearer-auth, answering every failure with an OpenAI-shaped 401.
 * @module
 */
import type { MiddlewareHandler } from 'hono';
import { bearerAuth } from 'hono/bearer-auth';
import type { AppEnv } from '../app-env.js';
import { errorResponse, unauthorized } from '../errors.js';

/** Accepts requests that carry one of `keys`. */
export const apiKey = (keys: readonly string[]): MiddlewareHandler<AppEnv> => {
  const message = {
    message: (c: Parameters<MiddlewareHandler<AppEnv>>[0]) => errorResponse(c, unauthorized()),
  };
  return bearerAuth({
    token: [...keys],
    noAuthenticationHeader: message,
    invalidAuthenticationHeader: message,
    invalidToken: message,
  });
};
