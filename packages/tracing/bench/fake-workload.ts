/**
 * The plugin's own cost, isolated: a real Scheduler at constant concurrency
 * with free "model" steps (tokens made up), the server hooks fired around
 * every request as the HTTP layer fires them, and the event loop turned
 * between steps as the engine does (the exporter works there). Whatever a
 * variant adds is tracing, since nothing else is slow.
 */
import { Scheduler } from '@x/scheduler';
import type { ServerRequestInfo } from '../dist/index.js';
import { cpuUs, quantile, type Variant } from './variants.ts';

/** Figures of one measured run. */
export interface FakeResult {
  readonly tokensPerSecond: number;
  readonly p50StepUs: number;
  readonly p99StepUs: number;
  readonly cpuUsPerStep: number;
  /** Main-thread CPU µs per step in tracing code (hooks, the exporter's synchronous work). */
  readonly tracingUsPerStep: number;
}

const PROMPT = 64;
const MEAN_OUTPUT = 32;

/** Runs `steps` steps (after `warmUp` unmeasured ones) at `concurrency` requests in flight. */
export async function runFake(
  variant: Variant,
  concurrency: number,
  warmUp: number,
  steps: number,
): Promise<FakeResult> {
  const scheduler = new Scheduler({
    maxNumSeqs: concurrency,
    maxNumBatchedTokens: 8192,
    maxModelLen: 4096,
    blockSize: 16,
    numBlocks: concurrency * Math.ceil((PROMPT + 2 * MEAN_OUTPUT) / 16) + 64,
  });
  const infos = new Map<string, ServerRequestInfo>();
  const server = variant.server;
  if (variant.scheduler) scheduler.use(variant.scheduler);
  let next = 0;
  let seed = 12345;
  const random = (n: number) => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n;
  const prompt = Array.from({ length: PROMPT }, (_, i) => 1 + ((i * 7919) % 32_000));

  const arrive = () => {
    const requestId = `r${next++}`;
    const info: ServerRequestInfo = {
      requestId,
      endpoint: 'completions',
      headers: {},
      arrivalEpochMs: Date.now(),
      arrivalMonotonicNs: performance.now() * 1e6,
    };
    const traceHeaders: Record<string, string> = {};
    const maxTokens = 1 + random(2 * MEAN_OUTPUT - 1);
    if (server) {
      infos.set(requestId, info);
      server.onArrived?.(info, { set: (name, value) => (traceHeaders[name] = value) });
      server.onHandoff?.(info, {
        model: 'fake',
        promptTokens: PROMPT,
        maxTokens,
        temperature: 1,
        topP: 1,
        n: 1,
        stream: true,
      });
    }
    scheduler.addRequest({
      requestId,
      promptTokenIds: prompt,
      sampling: { maxTokens, ignoreEos: true },
      traceHeaders,
    });
  };
  for (let i = 0; i < concurrency; i++) arrive();

  const stepUs: number[] = [];
  let tokens = 0;
  let started = 0;
  let cpu0 = 0;
  let traced0 = 0;
  const sampled: number[] = [];
  for (let s = 0; s < warmUp + steps; s++) {
    if (s === warmUp) {
      started = performance.now();
      cpu0 = cpuUs();
      traced0 = variant.tracingMs();
    }
    const t0 = performance.now();
    const output = scheduler.schedule();
    sampled.length = output.scheduled.length;
    for (let i = 0; i < sampled.length; i++) sampled[i] = 1 + ((s * 7 + i) % 32_000);
    const results = scheduler.updateFromOutput(output, sampled);
    for (const result of results) {
      const info = server ? infos.get(result.requestId) : undefined;
      if (info && scheduler.getRequest(result.requestId)?.outputTokenIds.length === 1)
        server!.onFirstResponse?.(info);
      if (!result.finished) continue;
      if (info) {
        infos.delete(result.requestId);
        server!.onDeparted?.(info, { completionTokens: 1, finishReasons: ['length'] });
      }
      arrive();
    }
    if (s >= warmUp) {
      stepUs.push((performance.now() - t0) * 1000);
      tokens += results.length;
    }
    // Between steps the event loop runs, as in the engine: the batch processor exports here.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return {
    tokensPerSecond: tokens / ((performance.now() - started) / 1000),
    p50StepUs: quantile(stepUs, 0.5),
    p99StepUs: quantile(stepUs, 0.99),
    cpuUsPerStep: (cpuUs() - cpu0) / steps,
    tracingUsPerStep: ((variant.tracingMs() - traced0) * 1000) / steps,
  };
}
