/**
 * The continuous-batching scheduler. One step is `schedule()` (decide what to
 * compute), the model's forward pass and sampling, then `updateFromOutput()`
 * (commit computed tokens, append samples, apply stop rules, free finished
 * requests). The scheduler owns every request's lifecycle and emits its hooks.
 */
import { SchedulerClock, type Clock } from './clock.js';
import {
  maxSequenceLength,
  resolveConfig,
  type SchedulerConfig,
  type SchedulerConfigInput,
} from './config.js';
import {
  finishKindOf,
  HookRegistry,
  type HookLogger,
  type PluginHost,
  type SchedulerPlugin,
  type Unsubscribe,
} from './hooks.js';
import type { BlockHasher } from './prefix-hash.js';
import { KVCacheManager, type KvCacheUsage, type KvCacheView } from './kv-cache-manager.js';
import { createRequest, ignoreReason, type CapacityLimits, type NewRequest } from './new-request.js';
import { finishReasonOf, type RequestOutput, type SchedulerOutput } from './output.js';
import { progressOf, requestSnapshotOf, type EventTime, type RequestSnapshot } from './progress.js';
import {
  isFinishedStatus,
  RequestStatus,
  type FinishedStatus,
  type Request,
  type RequestView,
} from './request.js';
import { createRequestQueue } from './request-queue.js';
import { schedulePass, type PassState } from './schedule-pass.js';
import { StepPlan } from './step-plan.js';
import { StepTracker } from './step-tracker.js';
import { checkStop } from './stop-conditions.js';

/** Configuration plus the injectable clock and logger. */
export interface SchedulerOptions extends SchedulerConfigInput {
  /** Monotonic time source for request timestamps and step timing (default: `performanceClock`). */
  readonly clock?: Clock;
  /** Where failing plugins are reported (default: console). */
  readonly logger?: HookLogger;
  /** Prefix-cache block hash (default: 53-bit {@link hashBlockTokens}); hits are verified token by token. */
  readonly blockHasher?: BlockHasher;
}

const NO_IDS: readonly string[] = Object.freeze([]);

/** A vLLM-v1-style scheduler over a paged, prefix-cached KV cache, with lifecycle hooks. */
export class Scheduler {
  /** The validated configuration. */
  readonly config: SchedulerConfig;
  /** Plugin registry (`hooks.use(plugin)` is the same as `scheduler.use(plugin)`). */
  readonly hooks: PluginHost;
  readonly #hooks: HookRegistry;
  readonly #clock: SchedulerClock;
  readonly #kv: KVCacheManager;
  readonly #state: PassState;
  readonly #steps: StepTracker;
  readonly #running: Request[] = [];
  readonly #requests = new Map<string, Request>();
  readonly #maxSeqLen: number;
  readonly #limits: CapacityLimits;
  #step = 0;
  #nextSeq = 0;
  #inFlight: StepPlan | null = null;
  #finishedIds: string[] = [];

  /** Validates `options` (throwing on a bad setting) and starts with an empty pool. */
  constructor(options: SchedulerOptions) {
    this.config = resolveConfig(options, ['clock', 'logger', 'blockHasher']);
    this.#maxSeqLen = maxSequenceLength(this.config);
    this.#limits = {
      maxModelLen: this.config.maxModelLen,
      poolTokens: this.config.numBlocks * this.config.blockSize,
    };
    this.#clock = new SchedulerClock(options.clock);
    this.#hooks = new HookRegistry(options.logger);
    this.hooks = this.#hooks;
    this.#kv = new KVCacheManager({ ...this.config, hasher: options.blockHasher });
    this.#state = {
      config: this.config,
      kv: this.#kv,
      running: this.#running,
      waiting: createRequestQueue<Request>(this.config.policy),
    };
    this.#steps = new StepTracker({ kv: this.#kv, clock: this.#clock, hooks: this.#hooks, snapshots: this });
  }

  /** Subscribes a plugin; returns its unsubscribe function. */
  use(plugin: SchedulerPlugin): Unsubscribe {
    return this.#hooks.use(plugin);
  }

  /** Requests in the batch. */
  get numRunning(): number {
    return this.#running.length;
  }

  /** Requests queued, including preempted ones. */
  get numWaiting(): number {
    return this.#state.waiting.size;
  }

  /** The latest step number (0 before the first `schedule()`). */
  get step(): number {
    return this.#step;
  }

  /** Read-only view of the KV cache (block tables, pool, usage), for inspection and tests. */
  get kvCache(): KvCacheView {
    return this.#kv;
  }

  /** True while any request is running or waiting. */
  hasUnfinishedRequests(): boolean {
    return this.#running.length > 0 || this.#state.waiting.size > 0;
  }

  /** KV pool usage and prefix-cache figures. */
  kvCacheUsage(): KvCacheUsage {
    return this.#kv.usage();
  }

  /** An unfinished request by id. */
  getRequest(requestId: string): RequestView | undefined {
    return this.#requests.get(requestId);
  }

  /**
   * Accepts a request. Malformed input (bad id, empty prompt, bad sampling
   * limits, a duplicate id) throws; a prompt that can never fit is returned
   * already FINISHED_IGNORED, with `finishReasonText` saying why.
   */
  addRequest(init: NewRequest): RequestView {
    if (this.#requests.has(init.requestId)) {
      throw new Error(`request ${init.requestId} is already queued or running`);
    }
    const nowNs = this.#clock.nowNs();
    const request = createRequest(init, {
      seq: this.#nextSeq++,
      nowNs,
      nowEpochMs: this.#clock.epochMs(nowNs),
      maxSeqLen: this.#maxSeqLen,
    });
    const ignored = ignoreReason(request.numPromptTokens, this.#limits);
    this.#requests.set(request.requestId, request);
    if (ignored === undefined) this.#state.waiting.push(request);
    if (this.#hooks.hasQueued) this.#hooks.queued(request, progressOf(request, this.#timeAt(nowNs)));
    if (ignored !== undefined) this.#finish(request, RequestStatus.FINISHED_IGNORED, ignored, nowNs);
    return request;
  }

  /** Plans the next step. Each call must be followed by `updateFromOutput()` with its output. */
  schedule(): SchedulerOutput {
    if (this.#inFlight !== null) {
      throw new Error(`schedule() called again before updateFromOutput() for step ${this.#inFlight.step}`);
    }
    const plan = new StepPlan({
      step: ++this.#step,
      nowNs: this.#clock.nowNs(),
      budget: this.config.maxNumBatchedTokens,
    });
    schedulePass(this.#state, plan);
    const finishedIds = this.#finishedIds.length === 0 ? NO_IDS : this.#finishedIds;
    if (finishedIds.length > 0) this.#finishedIds = [];
    this.#inFlight = plan;
    this.#emitPassEvents(plan);
    return plan.toOutput(finishedIds);
  }

  /**
   * Applies a step's results. `sampledTokenIds[i]` is the token sampled for
   * `output.scheduled[i]`; entries that do not sample are ignored (pass -1).
   * Returns an output for each request that got a token or finished.
   */
  updateFromOutput(output: SchedulerOutput, sampledTokenIds: ArrayLike<number>): RequestOutput[] {
    const plan = this.#inFlight;
    if (plan === null || output.step !== plan.step) {
      throw new Error(
        `updateFromOutput() got step ${output.step}, but the step in flight is ${plan?.step ?? 'none'}`,
      );
    }
    plan.checkSamples(sampledTokenIds);
    const nowNs = this.#clock.nowNs();
    const results: RequestOutput[] = [];
    const { entries } = plan;
    for (let i = 0; i < entries.length; i++) {
      const { request, numTokens, samplesToken } = entries[i]!;
      if (request.isFinished) continue; // aborted while in flight
      request.commitComputed(numTokens);
      this.#kv.cacheComputedBlocks(request);
      if (samplesToken) results.push(this.#appendSample(request, sampledTokenIds[i]!, nowNs));
    }
    this.#dropFinishedFromRunning();
    this.#inFlight = null;
    this.#steps.complete(plan, nowNs, {
      numRunning: this.#running.length,
      numWaiting: this.#state.waiting.size,
    });
    return results;
  }

  /**
   * Ends requests from outside (abort, error, a stop string found by the
   * detokenizer), whatever their state. Unknown or already finished ids are
   * ignored. Returns how many requests this call finished.
   */
  finishRequests(requestIds: string | Iterable<string>, status: FinishedStatus, reasonText?: string): number {
    if (!isFinishedStatus(status)) {
      throw new RangeError(`finishRequests needs a FINISHED_* status (got ${status})`);
    }
    const nowNs = this.#clock.nowNs();
    let count = 0;
    for (const id of typeof requestIds === 'string' ? [requestIds] : requestIds) {
      const request = this.#requests.get(id);
      if (request !== undefined && this.#finish(request, status, reasonText, nowNs)) count++;
    }
    if (count > 0) this.#dropFinishedFromRunning();
    return count;
  }

  /** Snapshots of every running, then waiting, request. O(n); for tracing and debugging. */
  requestSnapshots(): RequestSnapshot[] {
    const snapshot = (request: Request) =>
      requestSnapshotOf(request, this.#kv.requestUsage(request.requestId));
    return [...this.#running.map(snapshot), ...Array.from(this.#state.waiting, snapshot)];
  }

  #appendSample(request: Request, tokenId: number, nowNs: number): RequestOutput {
    if (request.appendOutput(tokenId, nowNs) && this.#hooks.hasFirstToken) {
      this.#hooks.firstToken(request, progressOf(request, this.#timeAt(nowNs)));
    }
    if (!request.isFinished) {
      const stop = checkStop(request);
      if (stop !== null) this.#finish(request, stop, undefined, nowNs);
    }
    const finished = request.isFinished;
    return {
      requestId: request.requestId,
      newTokenIds: [tokenId],
      finished,
      status: request.status,
      finishReason: finished ? finishReasonOf(request.status) : null,
    };
  }

  /** Moves a live request to a terminal status, releasing everything it holds; false if it had already finished. */
  #finish(request: Request, status: FinishedStatus, reasonText: string | undefined, nowNs: number): boolean {
    if (request.isFinished) return false;
    if (request.status !== RequestStatus.RUNNING) this.#state.waiting.remove(request);
    this.#kv.free(request);
    request.finish(status, reasonText, nowNs);
    this.#requests.delete(request.requestId);
    this.#finishedIds.push(request.requestId);
    this.#steps.noteFinished();
    if (this.#hooks.hasFinished) {
      this.#hooks.finished(request, finishKindOf(status), progressOf(request, this.#timeAt(nowNs)));
    }
    return true;
  }

  /** Compacts the running list in place (finished requests leave it here, not one by one). */
  #dropFinishedFromRunning(): void {
    const running = this.#running;
    let kept = 0;
    for (let i = 0; i < running.length; i++) {
      const request = running[i]!;
      if (!request.isFinished) running[kept++] = request;
    }
    if (kept !== running.length) running.length = kept; // the length setter is slow: skip it when unchanged
  }

  /** Emits the pass's preemptions then schedulings, after the pass, so hooks see consistent state. */
  #emitPassEvents(plan: StepPlan): void {
    const hooks = this.#hooks;
    if (!hooks.hasPreempted && !hooks.hasScheduled) return;
    const time = this.#timeAt(plan.nowNs);
    if (hooks.hasPreempted) {
      for (const request of plan.preempted) {
        if (!request.isFinished) hooks.preempted(request, progressOf(request, time));
      }
    }
    if (!hooks.hasScheduled) return;
    const { entries } = plan;
    for (let i = plan.firstAdmitted; i < entries.length; i++) {
      const { kind, request } = entries[i]!;
      if (kind !== null && !request.isFinished) hooks.scheduled(request, kind, progressOf(request, time));
    }
  }

  #timeAt(nowNs: number): EventTime {
    return { step: this.#step, monotonicNs: nowNs, epochMs: this.#clock.epochMs(nowNs) };
  }
}
