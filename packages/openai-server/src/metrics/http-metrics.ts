/**
 * HTTP metrics as vLLM exports them through prometheus-fastapi-instrumentator
 * (its default set, with vLLM's excluded handlers), plus prom-client's
 * process and Node.js metrics. They live in their own registry, without the
 * `model_name` label of the `vllm:*` series; each app has its own, so two apps
 * in one process never clash.
 * @module
 */
import type { MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import { collectDefaultMetrics, Counter, Histogram, Registry, Summary } from 'prom-client';
import type { AppEnv } from '../app-env.js';

/** Routes vLLM leaves out of the HTTP metrics. */
const EXCLUDED_HANDLERS = new Set(['/metrics', '/health', '/load', '/ping', '/version', '/server_info']);

/** The instrumentator's `http_request_duration_highr_seconds` buckets. */
const HIGHR_BUCKETS = [
  0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 7.5, 10, 30, 60,
];

/** The instrumentator's `http_request_duration_seconds` buckets. */
const LOWR_BUCKETS = [0.1, 0.5, 1];

/** The registry of the HTTP and process metrics, and the middleware feeding it. */
export class HttpMetrics {
  readonly registry = new Registry();
  readonly #requests: Counter;
  readonly #requestSize: Summary;
  readonly #responseSize: Summary;
  readonly #durationHighr: Histogram;
  readonly #duration: Histogram;

  constructor() {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.#requests = new Counter({
      name: 'http_requests_total',
      help: 'Total number of requests by method, status and handler.',
      labelNames: ['method', 'status', 'handler'],
      registers,
    });
    const size = (name: string, help: string) =>
      new Summary({ name, help, labelNames: ['handler'], percentiles: [], registers });
    this.#requestSize = size('http_request_size_bytes', 'Content length of incoming requests by handler.');
    this.#responseSize = size('http_response_size_bytes', 'Content length of outgoing responses by handler.');
    this.#durationHighr = new Histogram({
      name: 'http_request_duration_highr_seconds',
      help: 'Latency with many buckets but no API specific labels. Made for more accurate percentile calculations.',
      buckets: HIGHR_BUCKETS,
      registers,
    });
    this.#duration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Latency with only few buckets by handler. Made to be only used if aggregation by handler is important.',
      labelNames: ['method', 'handler'],
      buckets: LOWR_BUCKETS,
      registers,
    });
  }

  /**
   * The middleware: the handler label is the matched route's pattern ("none"
   * when no route matched), the status its class ("2xx") as sent. A stream is
   * timed to its end: it is counted when its journey ends.
   */
  middleware(): MiddlewareHandler<AppEnv> {
    return async (c, next) => {
      const start = performance.now();
      await next();
      const handler = handlerOf(c);
      if (EXCLUDED_HANDLERS.has(handler)) return;
      const { method } = c.req;
      const requestBytes = Number(c.req.header('content-length') ?? 0) || 0;
      const responseBytes = Number(c.res.headers.get('content-length') ?? 0) || 0;
      const status = `${Math.floor(c.res.status / 100)}xx`;
      const record = () => {
        const seconds = (performance.now() - start) / 1000;
        this.#requests.inc({ method, status, handler });
        this.#requestSize.observe({ handler }, requestBytes);
        this.#responseSize.observe({ handler }, responseBytes);
        this.#durationHighr.observe(seconds);
        this.#duration.observe({ method, handler }, seconds);
      };
      const journey = c.get('journey');
      if (journey && !journey.ended) journey.whenEnded(record);
      else record();
    };
  }
}

/** The pattern of the route that answered, or "none". */
function handlerOf(c: Parameters<MiddlewareHandler<AppEnv>>[0]): string {
  const routes = matchedRoutes(c);
  for (let i = routes.length - 1; i >= 0; i--) if (routes[i]!.method !== 'ALL') return routes[i]!.path;
  return 'none';
}
