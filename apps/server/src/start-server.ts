/**
 * The programmatic server: loads the model into an engine, builds the
 * OpenAI app over it, listens, and returns a handle whose `close` drains
 * in-flight requests (then aborts what is left) before freeing the GPU.
 * The CLI is a thin layer over this; tests use it directly.
 * @module
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { createEngine, type Engine } from '@x/engine';
import { createApp, type OpenAIApp, type ServerPlugin } from '@x/openai-server';
import type { SchedulingPolicy, SchedulerPlugin } from '@x/scheduler';
import { pino, type Logger } from 'pino';
import { DEFAULT_MODEL_NAME, ensureDefaultModel } from './default-model.js';
import { listenEarly } from './early-listen.js';
import { loadProgress } from './load-progress.js';
import { startupSummary, type StartupSummary } from './startup-summary.js';

/** Options of {@link startServer}: the CLI's settings (camelCase) plus what only code can pass. */
export interface StartServerOptions {
  /** A GGUF or llama2.c file; default the built-in synthetic `tiny-random-llama`. */
  readonly model?: string;
  readonly tokenizer?: string;
  /** Default: the `model` value as given (`tiny-random-llama` for the default model). */
  readonly servedModelName?: string | readonly string[];
  /** Default 0.0.0.0. */
  readonly host?: string;
  /** Default 8000; 0 picks a free port. */
  readonly port?: number;
  readonly apiKey?: readonly string[];
  readonly maxNumSeqs?: number;
  readonly maxNumBatchedTokens?: number;
  readonly maxModelLen?: number;
  readonly blockSize?: number;
  /** KV-cache bytes (default 256 MiB); `numGpuBlocks` overrides it. */
  readonly kvCacheMemory?: number;
  readonly numGpuBlocks?: number;
  readonly enablePrefixCaching?: boolean;
  readonly enableChunkedPrefill?: boolean;
  /** Run a step of every shape before listening, so no request waits for pipeline compilation; default true. */
  readonly warmup?: boolean;
  readonly maxPendingRequests?: number;
  /** Bytes of a stream's events that may wait for its client (default 4 MiB). */
  readonly maxStreamBuffer?: number;
  /** Seconds a stream's events may wait with the client reading none (default 30). */
  readonly streamStallTimeout?: number;
  readonly schedulingPolicy?: SchedulingPolicy;
  /** Most prompt tokens of one request per step (0: no cap). */
  readonly longPrefillTokenThreshold?: number;
  /** Requests without a seed draw theirs from a sequence started here (vLLM's `--seed`). */
  readonly seed?: number;
  /** Most logprobs a request may ask for, 0..20; default 20. */
  readonly maxLogprobs?: number;
  /** The path prefix a proxy serves the server under; routes answer with and without it. */
  readonly rootPath?: string;
  /** PEM key and certificate files: serve HTTPS. */
  readonly sslKeyfile?: string;
  readonly sslCertfile?: string;
  /** CORS, as vLLM's flags (JSON lists); default any origin, method and header, no credentials. */
  readonly allowedOrigins?: readonly string[];
  readonly allowedMethods?: readonly string[];
  readonly allowedHeaders?: readonly string[];
  readonly allowCredentials?: boolean;
  /** A Jinja chat template's text, used instead of the model's (the CLI reads `--chat-template`'s file). */
  readonly chatTemplate?: string;
  /** No info log line per generation request. */
  readonly disableLogRequests?: boolean;
  /** No periodic stats line (preemption warnings are still logged). */
  readonly disableLogStats?: boolean;
  /** Said once each, when a setting is not honoured in full (default: logged at warn). */
  readonly onWarning?: (line: string) => void;
  /** Seconds in-flight requests get to finish on `close` before they are aborted; default 5. */
  readonly shutdownTimeout?: number;
  /** Default: silent. */
  readonly logger?: Logger;
  /** Show a weights-loading bar on stderr (when it is a terminal); default false. */
  readonly progress?: boolean;
  /** Server plugins (request hooks). */
  readonly plugins?: readonly ServerPlugin[];
  /** Scheduler plugins (lifecycle hooks). */
  readonly schedulerPlugins?: readonly SchedulerPlugin[];
  /** Add routes to the app before it listens (keep them outside `/v1`). */
  readonly routes?: readonly ((app: OpenAIApp['hono']) => void)[];
  /** Run as soon as `close` begins, before in-flight requests drain (end long-lived streams here). */
  readonly onClosing?: readonly (() => void)[];
  /** Run on `close`, after the last request ended (flush exporters here). */
  readonly onClose?: readonly (() => Promise<void>)[];
  /** Rows the extensions add to the start-up summary, given the server's URL. */
  readonly summaryRows?: readonly ((url: string) => Readonly<Record<string, string>>)[];
}

/** A running server. */
export interface RunningServer {
  /** `http://host:port` with the port actually bound. */
  readonly url: string;
  readonly app: OpenAIApp;
  readonly engine: Engine;
  readonly summary: StartupSummary;
  /** Stops accepting, lets in-flight requests finish for `shutdownTimeout`, aborts the rest, frees the GPU. */
  close(): Promise<void>;
}

/**
 * Starts the server; resolves once it serves. The address is bound first, so a busy port fails
 * before the model loads; until then requests get 503.
 */
export async function startServer(options: StartServerOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? pino({ level: 'silent' });
  const model = options.model ?? ensureDefaultModel();
  const names = options.servedModelName ?? options.model ?? DEFAULT_MODEL_NAME;
  const servedModelName = typeof names === 'string' ? [names] : [...names];
  const early = await listenEarly(options);
  const { listening } = early;
  const initStart = performance.now();
  let engine: Engine;
  try {
    engine = await startEngine(options, model);
  } catch (error) {
    await listening.close(0);
    throw error;
  }
  warnIfKvCacheCapped(engine, options, options.onWarning ?? ((line) => logger.warn(line)));
  const unsubscribers = (options.schedulerPlugins ?? []).map((plugin) => engine.use(plugin));
  const app = createApp({
    engine,
    servedModelName,
    modelRoot: model,
    apiKeys: options.apiKey,
    maxPendingRequests: options.maxPendingRequests,
    maxStreamBufferBytes: options.maxStreamBuffer,
    streamStallTimeoutMs:
      options.streamStallTimeout === undefined ? undefined : options.streamStallTimeout * 1000,
    plugins: options.plugins,
    logger,
    logRequests: !options.disableLogRequests,
    logStats: !options.disableLogStats,
    rootPath: options.rootPath,
    chatTemplate: options.chatTemplate,
    cors: {
      allowedOrigins: options.allowedOrigins ?? ['*'],
      allowedMethods: options.allowedMethods ?? ['*'],
      allowedHeaders: options.allowedHeaders ?? ['*'],
      allowCredentials: options.allowCredentials ?? false,
    },
  });
  try {
    for (const addRoutes of options.routes ?? []) addRoutes(app.hono);
  } catch (error) {
    app.close();
    await engine.shutdown();
    await listening.close(0);
    throw error;
  }
  early.serve(app);
  const initEngineMs = Math.round(performance.now() - initStart);
  const summary = startupSummary(engine, {
    model,
    servedModelName: servedModelName[0]!,
    url: listening.url,
    initEngineMs,
    apiKey: (options.apiKey?.length ?? 0) > 0,
    extensions: Object.assign({}, ...(options.summaryRows ?? []).map((rows) => rows(listening.url))),
  });
  logger.info(summary, 'x-serve ready');

  const graceMs = (options.shutdownTimeout ?? 5) * 1000;
  let closing: Promise<void> | undefined;
  const close = async () => {
    logger.info(
      { inFlight: engine.core.scheduler.numRunning + engine.core.scheduler.numWaiting },
      'shutting down',
    );
    for (const hook of options.onClosing ?? []) hook();
    // Stop accepting; responses that end are let go, stragglers are cut a second after the grace period.
    const serverClosed = listening.close(graceMs + 1000);
    const timer = new AbortController();
    await Promise.race([
      engine.core.idle(),
      sleep(graceMs, undefined, { signal: timer.signal }).catch(() => {}),
    ]);
    timer.abort();
    // Whatever is still running is aborted: streams get an error frame and [DONE].
    await engine.shutdown();
    listening.server.closeIdleConnections();
    await serverClosed;
    unsubscribers.forEach((off) => off());
    app.close();
    for (const hook of options.onClose ?? []) await hook();
    logger.info('stopped');
  };
  return {
    url: listening.url,
    app,
    engine,
    summary,
    close: () => (closing ??= close()),
  };
}

/** The engine for `options` on `model`, with the weights-loading bar when asked for. */
async function startEngine(options: StartServerOptions, model: string): Promise<Engine> {
  const bar = options.progress ? loadProgress() : undefined;
  try {
    return await createEngine({
      model,
      ...(options.tokenizer !== undefined && { tokenizer: options.tokenizer }),
      kvCache: options.numGpuBlocks
        ? { numBlocks: options.numGpuBlocks }
        : { memoryBytes: options.kvCacheMemory ?? DEFAULT_KV_CACHE_BYTES },
      blockSize: options.blockSize,
      maxNumSeqs: options.maxNumSeqs,
      maxNumBatchedTokens: options.maxNumBatchedTokens,
      maxModelLen: options.maxModelLen,
      enablePrefixCaching: options.enablePrefixCaching,
      enableChunkedPrefill: options.enableChunkedPrefill,
      longPrefillTokenThreshold: options.longPrefillTokenThreshold,
      schedulingPolicy: options.schedulingPolicy,
      seed: options.seed,
      maxLogprobs: options.maxLogprobs,
      onLoadProgress: bar?.onLoadProgress,
      warmUp: options.warmup ?? true,
    });
  } finally {
    bar?.stop();
  }
}

const DEFAULT_KV_CACHE_BYTES = 256 * 2 ** 20;

/** A KV-cache budget the device's binding limit cut short is said, not silently served smaller. */
function warnIfKvCacheCapped(
  engine: Engine,
  options: StartServerOptions,
  warn: (line: string) => void,
): void {
  const kv = engine.runner.kvCache;
  const asked = options.kvCacheMemory ?? DEFAULT_KV_CACHE_BYTES;
  if (options.numGpuBlocks !== undefined || asked - kv.bytes < kv.bytes / kv.numBlocks) return;
  const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  warn(
    `--kv-cache-memory ${mib(asked)} is capped at ${mib(kv.bytes)} (${kv.numBlocks} blocks): ` +
      "one layer's K or V tensor must fit the device's storage binding limit " +
      `(${engine.runner.gpu.limits.maxStorageBufferBindingSize} bytes)`,
  );
}
