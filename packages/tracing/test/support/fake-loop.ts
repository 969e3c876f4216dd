/**
 * A fast stand-in for the engine: a real Scheduler driven step by step with
 * pseudo-random tokens (no model), plus the server's request hooks around
 * each request, as the HTTP layer calls them. For volume and fault tests,
 * where thousands of requests must run in seconds.
 */
import { RequestStatus, Scheduler, type SchedulerPlugin } from '@x/scheduler';
import type { ServerPlugin, ServerRequestInfo } from '../../src/index.js';

/** Loop settings. */
export interface FakeLoopOptions {
  readonly numBlocks?: number;
  readonly blockSize?: number;
  readonly maxNumSeqs?: number;
  readonly seed?: number;
}

/** A seeded uniform [0, 1) generator (mulberry32). */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A scheduler, the hooks around it, and a way to run requests through both. */
export class FakeLoop {
  readonly scheduler: Scheduler;
  readonly random: () => number;
  readonly #server: ServerPlugin | undefined;
  readonly #infos = new Map<string, ServerRequestInfo>();
  #next = 0;

  constructor(
    server: ServerPlugin | undefined,
    scheduler: SchedulerPlugin | undefined,
    options: FakeLoopOptions = {},
  ) {
    this.scheduler = new Scheduler({
      numBlocks: options.numBlocks ?? 64,
      blockSize: options.blockSize ?? 16,
      maxNumSeqs: options.maxNumSeqs ?? 32,
      maxNumBatchedTokens: 512,
      maxModelLen: 2048,
      logger: { warn: () => {} },
    });
    this.random = seeded(options.seed ?? 1);
    this.#server = server;
    // The server's terminal hook follows the core's end, as the HTTP layer's would.
    this.scheduler.use({
      onFinished: (request, status) => {
        const info = this.#infos.get(request.requestId);
        if (info === undefined) return;
        this.#infos.delete(request.requestId);
        if (status === 'aborted') this.#server?.onAborted?.(info, 'client disconnected', 499);
        else
          this.#server?.onDeparted?.(info, {
            completionTokens: request.outputTokenIds.length,
            finishReasons: [status],
          });
      },
    });
    if (scheduler !== undefined) this.scheduler.use(scheduler);
  }

  /** Requests in the server's hands (arrived, not yet departed or aborted). */
  get inFlight(): number {
    return this.#infos.size;
  }

  /** Arrives a request; 2% are rejected before hand-off (as a validation error would be). */
  arrive(promptLength: number, maxTokens: number, headers: Record<string, string> = {}): string {
    const requestId = `req-${this.#next++}`;
    const info: ServerRequestInfo = {
      requestId,
      endpoint: this.#next % 2 === 0 ? 'chat.completions' : 'completions',
      headers,
      arrivalEpochMs: Date.now(),
      arrivalMonotonicNs: performance.now() * 1e6,
    };
    const traceHeaders: Record<string, string> = {};
    this.#server?.onArrived?.(info, { set: (name, value) => (traceHeaders[name] = value) });
    if (this.random() < 0.02) {
      this.#server?.onAborted?.(info, 'max_tokens must be at least 1', 400);
      return requestId;
    }
    this.#infos.set(requestId, info);
    const promptTokenIds = Array.from({ length: promptLength }, () => 1 + Math.floor(this.random() * 500));
    this.#server?.onHandoff?.(info, {
      model: 'fake',
      promptTokens: promptLength,
      maxTokens,
      temperature: 1,
      topP: undefined,
      n: 1,
      stream: this.#next % 3 === 0,
    });
    this.scheduler.addRequest({
      requestId,
      promptTokenIds,
      sampling: { maxTokens, ignoreEos: true },
      traceHeaders,
    });
    return requestId;
  }

  /** Aborts a request, as a client disconnect does. */
  abort(requestId: string): void {
    this.scheduler.finishRequests(requestId, RequestStatus.FINISHED_ABORTED, 'aborted');
  }

  /** One step with random tokens; the first token of each request fires the server's first-response hook. */
  step(): void {
    const output = this.scheduler.schedule();
    const tokens = output.scheduled.map(() => 1 + Math.floor(this.random() * 500));
    for (const result of this.scheduler.updateFromOutput(output, tokens)) {
      const request = this.scheduler.getRequest(result.requestId);
      const info = this.#infos.get(result.requestId);
      if (info !== undefined && request?.outputTokenIds.length === 1) this.#server?.onFirstResponse?.(info);
    }
  }
}
