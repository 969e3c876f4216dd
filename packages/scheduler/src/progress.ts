/**
 * Progress snapshots: how far a request has got, in the terms a progress bar or
 * a tracing span wants. They are built only when a subscriber will receive one.
 */
import type { RequestKvUsage } from './kv-cache-manager.js';
import { RequestStatus, type RequestView } from './request.js';

/** Where a request is in its life, coarsely. */
export type RequestPhase = 'WAITING' | 'PREFILL' | 'DECODE';

/** A request's progress at the moment of an event. */
export interface ProgressSnapshot {
  /** The scheduler step the event belongs to (0 before the first `schedule()`). */
  readonly step: number;
  /** Monotonic ns of the event. */
  readonly monotonicNs: number;
  /** The same instant as Unix epoch ms. */
  readonly epochMs: number;
  /** WAITING while queued or preempted, PREFILL while computing prompt (or recomputing), DECODE after. */
  readonly phase: RequestPhase;
  /** Prompt tokens computed: a high-water mark that never goes back, even when preemption discards the KV. */
  readonly prefillDone: number;
  /** Prompt length. */
  readonly prefillTotal: number;
  /** Output tokens generated. */
  readonly decodeDone: number;
  /** Most output tokens it may generate. */
  readonly decodeMax: number;
  /** Times preempted so far. */
  readonly numPreemptions: number;
}

/** One request's state in a step, for step tracing. */
export interface RequestSnapshot {
  /** The request's id. */
  readonly requestId: string;
  /** Its status. */
  readonly status: RequestStatus;
  /** Its phase (see {@link ProgressSnapshot.phase}). */
  readonly phase: RequestPhase;
  /** See {@link ProgressSnapshot.prefillDone}. */
  readonly prefillDone: number;
  /** See {@link ProgressSnapshot.prefillTotal}. */
  readonly prefillTotal: number;
  /** See {@link ProgressSnapshot.decodeDone}. */
  readonly decodeDone: number;
  /** See {@link ProgressSnapshot.decodeMax}. */
  readonly decodeMax: number;
  /** Times preempted so far. */
  readonly numPreemptions: number;
  /** KV blocks it holds now. */
  readonly blocksHeld: number;
  /** Tokens its current residency got from the prefix cache. */
  readonly tokensCached: number;
}

/**
 * True while the request has more than its last sampled token left to compute:
 * a prompt chunk, or the recompute of prompt and outputs after preemption.
 */
export function isPrefilling(request: RequestView): boolean {
  return request.numComputedTokens < Math.max(request.numPromptTokens, request.numTokens - 1);
}

/** The phase; a finished request reports the phase it ended in (WAITING if it held no computed tokens). */
export function phaseOf(request: RequestView): RequestPhase {
  const status = request.status;
  if (status === RequestStatus.WAITING || status === RequestStatus.PREEMPTED) return 'WAITING';
  if (status !== RequestStatus.RUNNING && request.numComputedTokens === 0) return 'WAITING';
  return isPrefilling(request) ? 'PREFILL' : 'DECODE';
}

/** When an event happens. */
export interface EventTime {
  /** Scheduler step. */
  readonly step: number;
  /** Monotonic ns. */
  readonly monotonicNs: number;
  /** Unix epoch ms. */
  readonly epochMs: number;
}

/** Builds the snapshot handed to a request hook. */
export function progressOf(request: RequestView, time: EventTime): ProgressSnapshot {
  return {
    step: time.step,
    monotonicNs: time.monotonicNs,
    epochMs: time.epochMs,
    phase: phaseOf(request),
    prefillDone: request.prefillHighWater,
    prefillTotal: request.numPromptTokens,
    decodeDone: request.outputTokenIds.length,
    decodeMax: request.maxOutputTokens,
    numPreemptions: request.numPreemptions,
  };
}

/** Builds a request's line in a step's snapshot list. */
export function requestSnapshotOf(request: RequestView, kv: RequestKvUsage): RequestSnapshot {
  return {
    requestId: request.requestId,
    status: request.status,
    phase: phaseOf(request),
    prefillDone: request.prefillHighWater,
    prefillTotal: request.numPromptTokens,
    decodeDone: request.outputTokenIds.length,
    decodeMax: request.maxOutputTokens,
    numPreemptions: request.numPreemptions,
    blocksHeld: kv.numBlocks,
    tokensCached: kv.numCachedTokens,
  };
}
