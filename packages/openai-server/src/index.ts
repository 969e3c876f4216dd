/**
 * @x/openai-server: an OpenAI-compatible HTTP API (Hono) over the x-llm
 * engine, with SSE streaming, OpenAI-shaped errors, vLLM-named Prometheus
 * metrics and request hooks for plugins.
 * @module
 */
export { createApp, type AppOptions, type CorsSettings, type OpenAIApp } from './app.js';
export { listen, type ListenOptions, type ListeningServer } from './listen.js';
export type {
  ServerPlugin,
  ServerRequestInfo,
  ServerRequestParams,
  ServerRequestResult,
  TraceHeaderWriter,
  Unsubscribe,
} from './hooks.js';
export { ApiError, errorBody } from './errors.js';
export { ServerMetrics, type ServerMetricsOptions } from './metrics/server-metrics.js';
