/**
 * The plain records the recorder keeps, copied field by field from the
 * scheduler's hook payloads: only what the page draws, and nothing that
 * holds on to the scheduler's objects.
 * @module
 */
import type { StepEvent } from '@x/scheduler';
import type { JourneyProgress, StepSummary } from './shared/journey-types.js';

/** The fields of a progress snapshot (or a step's request snapshot) the viewer keeps. */
export function progressOf(p: Omit<JourneyProgress, 'step'> & { readonly step: number }): JourneyProgress {
  return {
    step: p.step,
    phase: p.phase,
    prefillDone: p.prefillDone,
    prefillTotal: p.prefillTotal,
    decodeDone: p.decodeDone,
    decodeMax: p.decodeMax,
    numPreemptions: p.numPreemptions,
  };
}

/** A step's summary: one point of each step chart. */
export function stepSummaryOf(step: StepEvent): StepSummary {
  return {
    step: step.step,
    startMs: step.startEpochMs,
    durationMs: step.durationNs / 1e6,
    batchSize: step.numScheduledRequests,
    numRunning: step.numRunning,
    numWaiting: step.numWaiting,
    prefillTokens: step.numPrefillTokens,
    decodeTokens: step.numDecodeTokens,
    kvUsage: step.kvUsage,
    kvBlocksUsed: step.kvBlocksUsed,
    preempted: step.numPreempted,
    finished: step.numFinished,
  };
}
