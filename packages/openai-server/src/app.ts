/**
 * The composition root: the OpenAI-compatible routes on a Hono app, with
 * request journeys (server hooks), API keys, body limits, errors in
 * OpenAI's shape, and Prometheus metrics. Serving it is the caller's choice
 * (`listen`, or any fetch-based runtime).
 * @module
 */
import { readFileSync } from 'node:fs';
import { chatTemplateFor, type AsyncEngine } from '@x/engine';
import { Hono } from 'hono';
import { cors } from 'hono/cors';
import { mount } from 'hono/mount';
import { HTTPException } from 'hono/http-exception';
import { pino, type Logger } from 'pino';
import type { AppEnv } from './app-env.js';
import { errorResponse, methodNotAllowed, notFound, toApiError } from './errors.js';
import { TokenText } from './format/logprobs.js';
import { ClientGoneError, clientGone } from './generation/outcome.js';
import type { ServerPlugin, Unsubscribe } from './hooks.js';
import { ServerMetrics } from './metrics/server-metrics.js';
import { startStatsLog } from './metrics/stats-log.js';
import { accessLog } from './middleware/access-log.js';
import { apiKey } from './middleware/api-key.js';
import { jsonBodyLimit } from './middleware/body-limit.js';
import { trackRequest } from './middleware/track-request.js';
import { PluginHub } from './plugin-hub.js';
import type { JourneyEnd } from './request-journey.js';
import { chatCompletionsHandler } from './routes/chat-completions.js';
import { completionsHandler } from './routes/completions.js';
import { modelsHandler } from './routes/models.js';
import { responsesHandler } from './routes/responses.js';
import { healthHandler, metricsHandler, pingHandler, versionHandler } from './routes/system.js';
import { detokenizeHandler, tokenizeHandler } from './routes/tokenize.js';
import type { ServerContext } from './server-context.js';

/** Options of {@link createApp}. */
export interface AppOptions {
  readonly engine: AsyncEngine;
  /** The name(s) clients use for the model; the first is reported in responses and metrics. */
  readonly servedModelName: string | readonly string[];
  /** What `/v1/models` reports as `root` (vLLM: the model path); default the first served name. */
  readonly modelRoot?: string;
  /** Keys accepted as `Authorization: Bearer <key>` on `/v1/*`; none = open. */
  readonly apiKeys?: readonly string[];
  /**
   * Most sequences waiting in the engine before new requests get 503; default 1024. A request
   * with more sequences (prompts × n) than this on its own gets 400.
   */
  readonly maxPendingRequests?: number;
  /** Largest request body; default 4 MiB. */
  readonly maxBodyBytes?: number;
  /**
   * Most bytes of a stream's events that may wait for a client reading slower than they are
   * produced; past it the request is aborted and logged as 499. Default 4 MiB (`Infinity`: no limit).
   */
  readonly maxStreamBufferBytes?: number;
  /**
   * Longest time (ms) a stream's events may wait without the client reading any; past it the
   * request is aborted and logged as 499. Default 30 000 (`Infinity`: no limit).
   */
  readonly streamStallTimeoutMs?: number;
  /** Server plugins subscribed from the start. */
  readonly plugins?: readonly ServerPlugin[];
  /** Request log lines and plugin failures; default silent. */
  readonly logger?: Logger;
  /** Log a line per generation request at info (vLLM's `--disable-log-requests` turns it off); default true. Failures are logged either way. */
  readonly logRequests?: boolean;
  /**
   * Log vLLM's stats line (throughputs, running and waiting requests, KV cache usage, prefix cache
   * hit rate) at info every `statsLogIntervalMs` while busy (vLLM's `--disable-log-stats` turns it
   * off); default true. A warning line for each interval with preemptions is logged either way.
   */
  readonly logStats?: boolean;
  /** How often the stats and preemption lines are considered, in ms; default 10 000 (vLLM's). */
  readonly statsLogIntervalMs?: number;
  /** Answer browsers' cross-origin requests and preflights (vLLM's `--allowed-*` flags); default: no CORS headers. */
  readonly cors?: CorsSettings;
  /**
   * The path prefix a proxy serves the app under (vLLM's `--root-path`): routes answer with and
   * without it, so a proxy may strip it or not.
   */
  readonly rootPath?: string;
  /** A Jinja chat template used instead of the model's (vLLM's `--chat-template`); a request's own `chat_template` still wins. */
  readonly chatTemplate?: string;
}

/** Which cross-origin requests browsers may make (vLLM's names and defaults: `["*"]` each, no credentials). */
export interface CorsSettings {
  readonly allowedOrigins: readonly string[];
  readonly allowedMethods: readonly string[];
  readonly allowedHeaders: readonly string[];
  readonly allowCredentials: boolean;
}

/** The app and what to do with it. */
export interface OpenAIApp {
  readonly hono: Hono<AppEnv>;
  /** Hono's fetch handler, for `listen` or any runtime. */
  readonly fetch: Hono<AppEnv>['fetch'];
  readonly metrics: ServerMetrics;
  /** Subscribes a server plugin; returns its unsubscribe function. */
  use(plugin: ServerPlugin): Unsubscribe;
  /** Stops observing the engine (metrics, the stats line); the engine itself is the caller's. */
  close(): void;
}

const PACKAGE_VERSION = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** Builds the OpenAI-compatible app over `engine`. */
export function createApp(options: AppOptions): OpenAIApp {
  const { engine } = options;
  const logger = options.logger ?? pino({ level: 'silent' });
  const modelNames =
    typeof options.servedModelName === 'string' ? [options.servedModelName] : [...options.servedModelName];
  if (modelNames.length === 0) throw new Error('createApp: servedModelName must name the model');
  const streamLimits = {
    maxBufferedBytes: options.maxStreamBufferBytes ?? 4 * 2 ** 20,
    stallTimeoutMs: options.streamStallTimeoutMs ?? 30_000,
  };
  if (!(streamLimits.maxBufferedBytes > 0 && streamLimits.stallTimeoutMs > 0))
    throw new Error('createApp: maxStreamBufferBytes and streamStallTimeoutMs must be positive');
  const statsLogIntervalMs = options.statsLogIntervalMs ?? 10_000;
  if (!(statsLogIntervalMs > 0)) throw new Error('createApp: statsLogIntervalMs must be positive');
  const metrics = new ServerMetrics(engine, { modelName: modelNames[0]! });
  const ctx: ServerContext = {
    engine,
    modelNames,
    template:
      options.chatTemplate === undefined
        ? chatTemplateFor(engine.tokenizer)
        : chatTemplateFor(engine.tokenizer).withSource(options.chatTemplate),
    tokenText: new TokenText(engine.tokenizer),
    metrics,
    maxPendingRequests: options.maxPendingRequests ?? 1024,
    streamLimits,
    version: PACKAGE_VERSION,
    createdAt: Math.floor(Date.now() / 1000),
  };
  const hub = new PluginHub(logger);
  for (const plugin of options.plugins ?? []) hub.use(plugin);
  const logRequests = options.logRequests ?? true;
  const stopStatsLog = startStatsLog(engine, logger, {
    intervalMs: statsLogIntervalMs,
    logStats: options.logStats ?? true,
  });
  const logEnd = (end: JourneyEnd) => {
    if (end.status >= 500) logger.error(end, 'request');
    else if (logRequests) logger.info(end, 'request');
  };

  const app = new Hono<AppEnv>();
  app.use(metrics.http.middleware());
  // Preflights are answered before the key check: browsers send them without credentials.
  if (options.cors) app.use(corsMiddleware(options.cors));
  app.use(accessLog(logger));
  // The key check comes before journeys start, so no plugin (the journey viewer's ring, a tracer)
  // sees unauthenticated traffic; requests refused by the size check still end as aborted.
  if (options.apiKeys?.length) app.use('/v1/*', apiKey(options.apiKeys));
  app.on('POST', '/v1/completions', trackRequest(hub, 'completions', logEnd));
  app.on('POST', '/v1/chat/completions', trackRequest(hub, 'chat.completions', logEnd));
  app.on('POST', '/v1/responses', trackRequest(hub, 'responses', logEnd));
  app.use(jsonBodyLimit(options.maxBodyBytes ?? 4 * 2 ** 20));

  app.get('/health', healthHandler());
  app.on(['GET', 'POST'], '/ping', pingHandler());
  app.get('/version', versionHandler(ctx));
  app.get('/metrics', metricsHandler(ctx));
  app.get('/v1/models', modelsHandler(ctx, options.modelRoot ?? modelNames[0]!));
  app.post('/v1/completions', completionsHandler(ctx));
  app.post('/v1/chat/completions', chatCompletionsHandler(ctx));
  app.post('/v1/responses', responsesHandler(ctx));
  app.post('/tokenize', tokenizeHandler(ctx));
  app.post('/detokenize', detokenizeHandler(ctx));

  app.notFound((c) => {
    const { method, path } = c.req;
    // Read at request time, so routes that extensions add later count too; `use` middleware is 'ALL'.
    const allowed = [
      ...new Set(app.routes.filter((r) => r.path === path && r.method !== 'ALL').map((r) => r.method)),
    ];
    const error =
      allowed.length > 0
        ? methodNotAllowed(method, path, allowed)
        : notFound(`no route for ${method} ${path}`);
    return errorResponse(c, error);
  });
  app.onError((error, c) => {
    // An exception that carries its response (auth on routes added to the app) is sent as is.
    if (error instanceof HTTPException && error.res) return error.getResponse();
    // No one is left to answer, whatever failed (the body read, a check that found the client gone).
    if (error instanceof ClientGoneError || c.req.raw.signal.aborted) return clientGone(c);
    const apiError = toApiError(error);
    if (apiError.status >= 500) logger.error({ err: error }, 'request failed');
    return errorResponse(c, apiError);
  });

  return {
    hono: app,
    fetch: options.rootPath ? underRootPath(app, options.rootPath) : app.fetch,
    metrics,
    use: (plugin) => hub.use(plugin),
    close: () => {
      stopStatsLog();
      metrics.close();
    },
  };
}

/** Hono's CORS middleware from vLLM's settings (`*` in a list means any). */
function corsMiddleware(settings: CorsSettings) {
  const any = (list: readonly string[]) => list.includes('*');
  const origins = [...settings.allowedOrigins];
  return cors({
    // With credentials a browser refuses `*`: the request's origin is echoed instead (as Starlette does).
    origin: !any(origins) ? origins : settings.allowCredentials ? (origin) => origin : '*',
    allowMethods: any(settings.allowedMethods)
      ? ['GET', 'HEAD', 'PUT', 'POST', 'DELETE', 'PATCH']
      : [...settings.allowedMethods],
    // Hono reflects the preflight's requested headers when none are listed.
    ...(!any(settings.allowedHeaders) && { allowHeaders: [...settings.allowedHeaders] }),
    credentials: settings.allowCredentials,
  });
}

/** `app`'s fetch, also answering under `rootPath` (the prefix stripped). */
function underRootPath(app: Hono<AppEnv>, rootPath: string): Hono<AppEnv>['fetch'] {
  const front = new Hono<AppEnv>();
  front.all(`${rootPath.replace(/\/+$/, '')}/*`, mount(app.fetch));
  front.all('*', (c) => app.fetch(c.req.raw, c.env));
  return front.fetch;
}
