/**
 * The per-step event: counters the scheduler already has, plus a lazy
 * per-request listing that costs nothing unless a subscriber asks for it.
 */
import type { RequestSnapshot } from './progress.js';

/** Figures for one completed step (`schedule()` then `updateFromOutput()`). */
export interface StepStats {
  /** The step number (as in `SchedulerOutput.step`). */
  readonly step: number;
  /** Monotonic ns when `schedule()` began. */
  readonly startNs: number;
  /** Monotonic ns when `updateFromOutput()` processed the results. */
  readonly endNs: number;
  /** endNs − startNs: scheduling, the model's forward pass and sampling together. */
  readonly durationNs: number;
  /** startNs as Unix epoch ms. */
  readonly startEpochMs: number;
  /** Requests running after the step. */
  readonly numRunning: number;
  /** Requests waiting (including preempted ones) after the step. */
  readonly numWaiting: number;
  /** Requests in the step's batch. */
  readonly numScheduledRequests: number;
  /** Tokens computed in the step. */
  readonly numScheduledTokens: number;
  /** Of which prefill (and recompute) tokens. */
  readonly numPrefillTokens: number;
  /** Of which decode tokens. */
  readonly numDecodeTokens: number;
  /** Requests preempted in the step. */
  readonly numPreempted: number;
  /** Requests that finished since the previous step event, any way (stop, length, abort, ignore, error). */
  readonly numFinished: number;
  /** KV blocks held by requests. */
  readonly kvBlocksUsed: number;
  /** KV blocks in the free list. */
  readonly kvBlocksFree: number;
  /** kvBlocksUsed / total, in [0, 1]. */
  readonly kvUsage: number;
  /** Prefix-cache lookups in tokens, cumulative. */
  readonly prefixCacheQueries: number;
  /** Prefix-cache hits in tokens, cumulative. */
  readonly prefixCacheHits: number;
  /** Prefix-cache lookups in tokens during this step. */
  readonly stepPrefixCacheQueries: number;
  /** Prefix-cache hits in tokens during this step. */
  readonly stepPrefixCacheHits: number;
}

/** What onStep subscribers receive. */
export interface StepEvent extends StepStats {
  /** Per-request snapshots of running then waiting requests; computed on the first call, so only if wanted. Call during onStep. */
  requestSnapshots(): readonly RequestSnapshot[];
}

/** Whatever can list the requests' snapshots (the scheduler). */
export interface SnapshotSource {
  /** Snapshots of running then waiting requests, as of now. */
  requestSnapshots(): RequestSnapshot[];
}

/**
 * A {@link StepEvent} whose snapshot list is computed on demand, once. Its
 * figures are written by the step tracker right after construction; it is
 * handed out only through the read-only {@link StepEvent} type.
 */
export class LazyStepEvent implements StepEvent {
  step = 0;
  startNs = 0;
  endNs = 0;
  durationNs = 0;
  startEpochMs = 0;
  numRunning = 0;
  numWaiting = 0;
  numScheduledRequests = 0;
  numScheduledTokens = 0;
  numPrefillTokens = 0;
  numDecodeTokens = 0;
  numPreempted = 0;
  numFinished = 0;
  kvBlocksUsed = 0;
  kvBlocksFree = 0;
  kvUsage = 0;
  prefixCacheQueries = 0;
  prefixCacheHits = 0;
  stepPrefixCacheQueries = 0;
  stepPrefixCacheHits = 0;
  readonly #source: SnapshotSource;
  #snapshots: readonly RequestSnapshot[] | undefined = undefined;

  /** `source` is asked for snapshots only if a subscriber calls {@link requestSnapshots}. */
  constructor(source: SnapshotSource) {
    this.#source = source;
  }

  requestSnapshots(): readonly RequestSnapshot[] {
    this.#snapshots ??= this.#source.requestSnapshots();
    return this.#snapshots;
  }
}
