/**
 * `GET /health`, `/ping`, `GET /version` and `GET /metrics`.
 * @module
 */
import type { Handler } from 'hono';
import type { AppEnv } from '../app-env.js';
import type { ServerContext } from '../server-context.js';

/** 200 with an empty body while the server runs (vLLM's). */
export const healthHandler = (): Handler<AppEnv> => (c) => c.body(null, 200);

/** vLLM's `GET`/`POST /ping` (SageMaker's health check): {@link healthHandler}'s answer, open without a key. */
export const pingHandler = healthHandler;

/** `{version}`. */
export const versionHandler =
  (ctx: ServerContext): Handler<AppEnv> =>
  (c) =>
    c.json({ version: ctx.version });

/** The Prometheus exposition. */
export const metricsHandler =
  (ctx: ServerContext): Handler<AppEnv> =>
  async (c) => {
    const { text, contentType } = await ctx.metrics.scrape();
    return c.body(text, 200, { 'Content-Type': contentType });
  };
