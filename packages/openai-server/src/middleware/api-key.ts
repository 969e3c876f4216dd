/**
 * API-key check (`Authorization: Bearer <key>`), as vLLM's `--api-key`: the
 * raw header is compared with `Bearer <key>` for each key, so a key may hold
 * any character, and the comparison runs over SHA-256 digests in constant
 * time, so neither a key's content nor its length leaks through timing.
 * Every failure gets an OpenAI-shaped 401.
 * @module
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app-env.js';
import { errorResponse, unauthorized } from '../errors.js';

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

/** Accepts requests that carry one of `keys`. */
export const apiKey = (keys: readonly string[]): MiddlewareHandler<AppEnv> => {
  const expected = keys.map((key) => digest(`Bearer ${key}`));
  return async function apiKey(c, next) {
    const given = digest(c.req.header('authorization') ?? '');
    // Every key is compared, so the time taken does not tell which one matched.
    let matched = false;
    for (const key of expected) matched = timingSafeEqual(given, key) || matched;
    if (!matched) return errorResponse(c, unauthorized());
    await next();
  };
};
