/**
 * Per-step counters and the onStep emission: what happened between two step
 * events (finishes, prefix-cache traffic) plus the figures read at the end.
 */
import type { SchedulerClock } from './clock.js';
import type { HookRegistry } from './hooks.js';
import type { KVCacheManager } from './kv-cache-manager.js';
import { LazyStepEvent, type SnapshotSource } from './step-event.js';
import type { StepPlan } from './step-plan.js';

/** What the tracker reads; all long-lived scheduler parts. */
export interface StepTrackerDeps {
  readonly kv: KVCacheManager;
  readonly clock: SchedulerClock;
  readonly hooks: HookRegistry;
  /** Lists request snapshots for subscribers that ask. */
  readonly snapshots: SnapshotSource;
}

/** Queue lengths at the end of a step. */
export interface QueueCounts {
  readonly numRunning: number;
  readonly numWaiting: number;
}

/** Counts what happens between step events and emits them. */
export class StepTracker {
  readonly #deps: StepTrackerDeps;
  #finished = 0;
  #queriesAtStep = 0;
  #hitsAtStep = 0;

  /** Starts with zero counts. */
  constructor(deps: StepTrackerDeps) {
    this.#deps = deps;
  }

  /** Records a request reaching a terminal status. */
  noteFinished(): void {
    this.#finished++;
  }

  /** Emits onStep for a completed step (only if someone listens) and starts counting the next one. */
  complete(plan: StepPlan, endNs: number, queues: QueueCounts): void {
    const { kv, clock, hooks } = this.#deps;
    if (hooks.hasStep) {
      const { pool } = kv;
      const event = new LazyStepEvent(this.#deps.snapshots);
      event.step = plan.step;
      event.startNs = plan.nowNs;
      event.endNs = endNs;
      event.durationNs = endNs - plan.nowNs;
      event.startEpochMs = clock.epochMs(plan.nowNs);
      event.numRunning = queues.numRunning;
      event.numWaiting = queues.numWaiting;
      event.numScheduledRequests = plan.entries.length;
      event.numScheduledTokens = plan.numPrefillTokens + plan.numDecodeTokens;
      event.numPrefillTokens = plan.numPrefillTokens;
      event.numDecodeTokens = plan.numDecodeTokens;
      event.numPreempted = plan.preempted.length;
      event.numFinished = this.#finished;
      event.kvBlocksUsed = pool.numTotal - pool.numFree;
      event.kvBlocksFree = pool.numFree;
      event.kvUsage = event.kvBlocksUsed / pool.numTotal;
      event.prefixCacheQueries = kv.prefixCacheQueries;
      event.prefixCacheHits = kv.prefixCacheHits;
      event.stepPrefixCacheQueries = kv.prefixCacheQueries - this.#queriesAtStep;
      event.stepPrefixCacheHits = kv.prefixCacheHits - this.#hitsAtStep;
      hooks.step(event);
    }
    this.#finished = 0;
    this.#queriesAtStep = kv.prefixCacheQueries;
    this.#hitsAtStep = kv.prefixCacheHits;
  }
}
