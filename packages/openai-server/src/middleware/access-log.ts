/**
 * One log line per request that is not a generation (those log their own
 * line when their response completes, streams included).
 * @module
 */
import type { MiddlewareHandler } from 'hono';
import type { Logger } from 'pino';
import type { AppEnv } from '../app-env.js';

/** Logs method, path, status and latency at debug (errors at info). */
export const accessLog = (logger: Logger): MiddlewareHandler<AppEnv> =>
  async function accessLog(c, next) {
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
    if (status >= 400) logger.info(line, c.get('apiError')?.message ?? 'request');
    else logger.debug(line, 'request');
  };
