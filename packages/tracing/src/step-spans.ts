/**
 * Step tracing: a sampled fraction of scheduler steps each become one short
 * `llm_step` span (a root of its own, read next to the journeys in Jaeger)
 * carrying a `step.BATCH_SUMMARY` event; a sub-fraction of those also carry
 * one `step.REQUEST_SNAPSHOT` event per running request, and link to the traced
 * requests' `llm_core` spans.
 * @module
 */
import { SpanKind, type Attributes, type Link, type SpanContext, type Tracer } from '@opentelemetry/api';
import type { RequestSnapshot, StepEvent } from '@x/scheduler';
import type { FailOpen } from './fail-open.js';
import { JOURNEY_ATTR, SPAN, STEP_ATTR, STEP_EVENT } from './names.js';

/** What {@link StepSpans} needs. */
export interface StepSpansOptions {
  readonly tracer: Tracer;
  /** Whether to summarise this step. */
  readonly sample: () => boolean;
  /** Whether a summarised step also lists its requests. */
  readonly rich: () => boolean;
  /** The core span of a traced request, to link rich steps to. */
  readonly spanContextOf: (requestId: string) => SpanContext | undefined;
  readonly failOpen: FailOpen;
}

/** The `step.BATCH_SUMMARY` attributes of a step. */
export function summaryAttributes(step: StepEvent): Attributes {
  return {
    [STEP_ATTR.step]: step.step,
    [STEP_ATTR.numRunning]: step.numRunning,
    [STEP_ATTR.numWaiting]: step.numWaiting,
    [STEP_ATTR.scheduledRequests]: step.numScheduledRequests,
    [STEP_ATTR.scheduledTokens]: step.numScheduledTokens,
    [STEP_ATTR.prefillTokens]: step.numPrefillTokens,
    [STEP_ATTR.decodeTokens]: step.numDecodeTokens,
    [STEP_ATTR.numPreempted]: step.numPreempted,
    [STEP_ATTR.numFinished]: step.numFinished,
    [STEP_ATTR.kvBlocksUsed]: step.kvBlocksUsed,
    [STEP_ATTR.kvBlocksFree]: step.kvBlocksFree,
    [STEP_ATTR.kvUsage]: step.kvUsage,
    [STEP_ATTR.prefixHitRate]: ratio(step.prefixCacheHits, step.prefixCacheQueries),
    [STEP_ATTR.stepPrefixHitRate]: ratio(step.stepPrefixCacheHits, step.stepPrefixCacheQueries),
    [STEP_ATTR.durationMs]: step.durationNs / 1e6,
  };
}

/** The `step.REQUEST_SNAPSHOT` attributes of one request. */
export function snapshotAttributes(snapshot: RequestSnapshot): Attributes {
  return {
    [STEP_ATTR.requestId]: snapshot.requestId,
    [JOURNEY_ATTR.phase]: snapshot.phase,
    [JOURNEY_ATTR.prefillDone]: snapshot.prefillDone,
    [JOURNEY_ATTR.prefillTotal]: snapshot.prefillTotal,
    [JOURNEY_ATTR.decodeDone]: snapshot.decodeDone,
    [JOURNEY_ATTR.decodeMax]: snapshot.decodeMax,
    [JOURNEY_ATTR.numPreemptions]: snapshot.numPreemptions,
    [STEP_ATTR.blocksHeld]: snapshot.blocksHeld,
    [STEP_ATTR.tokensCached]: snapshot.tokensCached,
  };
}

function ratio(part: number, whole: number): number {
  return whole > 0 ? part / whole : 0;
}

/** The `onStep` hook of step tracing. */
export class StepSpans {
  readonly #options: StepSpansOptions;

  constructor(options: StepSpansOptions) {
    this.#options = options;
  }

  onStep(step: StepEvent): void {
    const { sample, rich, failOpen } = this.#options;
    try {
      if (sample()) this.#record(step, rich());
    } catch (error) {
      failOpen.report('step span', error);
    }
  }

  #record(step: StepEvent, rich: boolean): void {
    const endTime = step.startEpochMs + step.durationNs / 1e6;
    const summary = summaryAttributes(step);
    const snapshots = rich ? step.requestSnapshots().filter((s) => s.status === 'RUNNING') : [];
    const span = this.#options.tracer.startSpan(SPAN.step, {
      kind: SpanKind.INTERNAL,
      startTime: step.startEpochMs,
      attributes: summary,
      links: rich ? this.#links(snapshots) : [],
    });
    try {
      span.addEvent(STEP_EVENT.BATCH_SUMMARY, summary, endTime);
      for (const snapshot of snapshots) {
        span.addEvent(STEP_EVENT.REQUEST_SNAPSHOT, snapshotAttributes(snapshot), endTime);
      }
    } finally {
      span.end(endTime);
    }
  }

  #links(snapshots: readonly RequestSnapshot[]): Link[] {
    const links: Link[] = [];
    for (const snapshot of snapshots) {
      const context = this.#options.spanContextOf(snapshot.requestId);
      if (context !== undefined) links.push({ context });
    }
    return links;
  }
}
