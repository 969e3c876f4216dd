/**
 * The end-to-end cost: the real engine (stories260K on WebGPU) at constant
 * concurrency, each request driven through the server hooks as the HTTP
 * layer would, until a fixed number of requests have completed.
 */
import type { Engine } from '@x/engine';
import type { ServerRequestInfo } from '../dist/index.js';
import { cpuUs, quantile, type Variant } from './variants.ts';

/** Figures of one measured round. */
export interface EngineResult {
  readonly tokensPerSecond: number;
  readonly p50StepMs: number;
  readonly p99StepMs: number;
  /** Process CPU time per output token (lavapipe runs the GPU work on this process's threads too). */
  readonly cpuUsPerToken: number;
  /** Main-thread CPU time in tracing code (hooks, the exporter's synchronous work) over the wall time, in %. */
  readonly tracingPercent: number;
}

const PROMPTS = ['Once upon a time', 'Lily wanted to', 'The big dog', 'One day, a little'];

/** Serves one request through the hooks; resolves with its output tokens. */
async function serveOne(
  engine: Engine,
  variant: Variant,
  requestId: string,
  maxTokens: number,
): Promise<number> {
  const info: ServerRequestInfo = {
    requestId,
    endpoint: 'completions',
    headers: {},
    arrivalEpochMs: Date.now(),
    arrivalMonotonicNs: performance.now() * 1e6,
  };
  const server = variant.server;
  const traceHeaders: Record<string, string> = {};
  server?.onArrived?.(info, { set: (name, value) => (traceHeaders[name] = value) });
  const prompt = PROMPTS[requestId.length % PROMPTS.length]!;
  const it = engine.generate(
    prompt,
    { temperature: 0.8, maxTokens, ignoreEos: true },
    { requestId, traceHeaders },
  );
  server?.onHandoff?.(info, {
    model: 'stories260K',
    promptTokens: 5,
    maxTokens,
    temperature: 0.8,
    topP: undefined,
    n: 1,
    stream: true,
  });
  let tokens = 0;
  for await (const out of it) {
    if (tokens === 0) server?.onFirstResponse?.(info);
    tokens += out.tokenIds.length;
  }
  server?.onDeparted?.(info, { completionTokens: tokens, finishReasons: ['length'] });
  return tokens;
}

/** Completes `requests` requests at `concurrency` in flight; step times come from an onStep probe present in every variant. */
export async function runEngine(
  engine: Engine,
  variant: Variant,
  tag: string,
  concurrency: number,
  requests: number,
  maxTokens: number,
): Promise<EngineResult> {
  const stepMs: number[] = [];
  const probe = engine.use({ onStep: (step) => void stepMs.push(step.durationNs / 1e6) });
  const unsubscribe = variant.scheduler ? engine.use(variant.scheduler) : () => {};
  let started = 0;
  let tokens = 0;
  const t0 = performance.now();
  const cpu0 = cpuUs();
  const traced0 = variant.tracingMs();
  const lane = async () => {
    while (started < requests) {
      const served = await serveOne(engine, variant, `${tag}-${started++}`, maxTokens);
      tokens += served;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  const seconds = (performance.now() - t0) / 1000;
  const cpu = cpuUs() - cpu0;
  unsubscribe();
  probe();
  return {
    tokensPerSecond: tokens / seconds,
    p50StepMs: quantile(stepMs, 0.5),
    p99StepMs: quantile(stepMs, 0.99),
    cpuUsPerToken: cpu / tokens,
    tracingPercent: ((variant.tracingMs() - traced0) / (seconds * 1000)) * 100,
  };
}
