/**
 * Engine statistics, recorded whatever plugins are installed: counters that
 * can be read at any time, and per-request / per-step observations handed to
 * subscribers (a Prometheus exporter turns them into vLLM's histograms).
 * Timings come from the request's own timestamps, so they never depend on
 * tracing.
 * @module
 */
import type { FinishReason, RequestView, Scheduler, SchedulerOutput } from '@x/scheduler';
import { finishReasonOf } from '@x/scheduler';

/** Latencies of one finished request, in seconds (vLLM's definitions). */
export interface RequestMetrics {
  readonly requestId: string;
  readonly finishReason: FinishReason | null;
  readonly promptTokens: number;
  readonly generationTokens: number;
  readonly maxTokensParam: number;
  /** First scheduling − queued. Undefined when never scheduled. */
  readonly queueTime: number | undefined;
  /** First token − arrival at the scheduler. */
  readonly timeToFirstToken: number | undefined;
  /** First token − first scheduling. */
  readonly prefillTime: number | undefined;
  /** Last token − first token. */
  readonly decodeTime: number | undefined;
  /** Last token − first scheduling. */
  readonly inferenceTime: number | undefined;
  /** Finished − queued. */
  readonly e2eLatency: number;
  /** Mean time per output token after the first. */
  readonly timePerOutputToken: number | undefined;
}

/** Receives observations; all methods optional. Throwing subscribers are isolated. */
export interface StatsSubscriber {
  onRequestFinished?(metrics: RequestMetrics): void;
  /** Time between two consecutive tokens of one request, in seconds. */
  onInterTokenLatency?(seconds: number): void;
  /** Tokens scheduled in one step (vLLM's `iteration_tokens_total`). */
  onStepTokens?(tokens: number): void;
}

/** Cumulative counters (vLLM metric names in comments). */
export interface EngineCounters {
  /** `vllm:prompt_tokens` (tokens of finished requests' prompts). */
  promptTokens: number;
  /** `vllm:generation_tokens`. */
  generationTokens: number;
  /** Prompt tokens computed by the steps so far (prefix-cache hits excluded): the stats line's prompt throughput. */
  prefillTokens: number;
  /** `vllm:num_preemptions`. */
  preemptions: number;
  /** `vllm:request_success` by finish reason. */
  finished: Record<FinishReason, number>;
  /** Steps run. */
  steps: number;
}

const NS = 1e-9;

/** Owned by the engine core; read by the server's `/metrics`. */
export class EngineStats {
  readonly counters: EngineCounters = {
    promptTokens: 0,
    generationTokens: 0,
    prefillTokens: 0,
    preemptions: 0,
    finished: { stop: 0, length: 0, abort: 0, error: 0 },
    steps: 0,
  };
  readonly #scheduler: Scheduler;
  readonly #subscribers: StatsSubscriber[] = [];
  readonly #lastTokenNs = new Map<string, number>();

  constructor(scheduler: Scheduler) {
    this.#scheduler = scheduler;
  }

  /** Subscribes; returns the unsubscribe function. */
  subscribe(subscriber: StatsSubscriber): () => void {
    this.#subscribers.push(subscriber);
    return () => {
      const i = this.#subscribers.indexOf(subscriber);
      if (i >= 0) this.#subscribers.splice(i, 1);
    };
  }

  /** Requests running / waiting now, and the KV cache's usage and prefix-cache counters. */
  gauges() {
    return {
      running: this.#scheduler.numRunning,
      waiting: this.#scheduler.numWaiting,
      kvCache: this.#scheduler.kvCacheUsage(),
    };
  }

  /** @internal A step completed. */
  onStep(output: SchedulerOutput): void {
    this.counters.steps++;
    this.counters.preemptions += output.preemptedIds.length;
    this.counters.prefillTokens += output.numPrefillTokens;
    if (this.#subscribers.length) this.#emit((s) => s.onStepTokens?.(output.totalNumScheduledTokens));
  }

  /** @internal `count` tokens were appended to `request`. */
  onTokens(request: RequestView, count: number): void {
    this.counters.generationTokens += count;
    const now = request.times.lastTokenNs;
    const prev = this.#lastTokenNs.get(request.requestId);
    if (now === undefined) return;
    this.#lastTokenNs.set(request.requestId, now);
    if (prev !== undefined && this.#subscribers.length) {
      const itl = (now - prev) * NS;
      this.#emit((s) => s.onInterTokenLatency?.(itl));
    }
  }

  /** @internal `request` reached a terminal status. */
  onFinished(request: RequestView): void {
    this.#lastTokenNs.delete(request.requestId);
    const reason = finishReasonOf(request.status);
    if (reason) this.counters.finished[reason]++;
    this.counters.promptTokens += request.numPromptTokens;
    if (this.#subscribers.length) {
      const metrics = requestMetrics(request);
      this.#emit((s) => s.onRequestFinished?.(metrics));
    }
  }

  #emit(call: (s: StatsSubscriber) => void): void {
    for (const s of this.#subscribers) {
      try {
        call(s);
      } catch (error) {
        console.warn(`stats subscriber failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
}

/** The latencies of a finished request from its timestamps. */
export function requestMetrics(request: RequestView): RequestMetrics {
  const t = request.times;
  const diff = (a: number | undefined, b: number | undefined) =>
    a === undefined || b === undefined ? undefined : (a - b) * NS;
  const generated = request.outputTokenIds.length;
  const decode = diff(t.lastTokenNs, t.firstTokenNs);
  return {
    requestId: request.requestId,
    finishReason: finishReasonOf(request.status),
    promptTokens: request.numPromptTokens,
    generationTokens: generated,
    maxTokensParam: request.sampling.maxTokens,
    queueTime: diff(t.firstScheduledNs, t.queuedNs),
    timeToFirstToken: diff(t.firstTokenNs, t.queuedNs),
    prefillTime: diff(t.firstTokenNs, t.firstScheduledNs),
    decodeTime: decode,
    inferenceTime: diff(t.lastTokenNs, t.firstScheduledNs),
    e2eLatency: ((t.finishedNs ?? t.queuedNs) - t.queuedNs) * NS,
    timePerOutputToken: decode !== undefined && generated > 1 ? decode / (generated - 1) : undefined,
  };
}
