/**
 * One log line per request that is not a generation (those log their own
 * line when their response completes, streams included). Refused API keys
 * are logged at most once per {@link UNAUTHORIZED_LOG_INTERVAL_MS}, with the
 * count left unlogged since the last line, so a flood of them cannot drown
 * the log.
 * @module
 */
import type { MiddlewareHandler } from 'hono';
import type { Logger } from 'pino';
import type { AppEnv } from '../app-env.js';

/** Shortest time between two log lines about 401 responses. */
export const UNAUTHORIZED_LOG_INTERVAL_MS = 10_000;

/** Logs method, path, status and latency at debug (errors at info). */
export const accessLog = (logger: Logger): MiddlewareHandler<AppEnv> => {
  const unauthorized = everyInterval(UNAUTHORIZED_LOG_INTERVAL_MS);
  return async function accessLog(c, next) {
    const start = performance.now();
    await next();
    if (c.get('journey')) return;
    const { status } = c.res;
    const line = {
      method: c.req.method,
      path: c.req.path,
      status,
      latencyMs: Math.round(performance.now() - start),
    };
    const message = c.get('apiError')?.message ?? 'request';
    if (status === 401) {
      const suppressed = unauthorized();
      if (suppressed !== undefined) logger.info({ ...line, suppressed }, message);
    } else if (status >= 400) logger.info(line, message);
    else logger.debug(line, 'request');
  };
};

/**
 * A gate open once per `intervalMs`: each call answers how many calls it
 * turned away since it was last open, or undefined when it is shut.
 */
function everyInterval(intervalMs: number): () => number | undefined {
  let openedAt = -Infinity;
  let turnedAway = 0;
  return () => {
    const now = performance.now();
    if (now - openedAt < intervalMs) {
      turnedAway++;
      return undefined;
    }
    openedAt = now;
    const count = turnedAway;
    turnedAway = 0;
    return count;
  };
}
