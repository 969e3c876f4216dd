/**
 * The engine core's half of a journey: one `llm_core` span per traced
 * scheduler request, child of the API span whose context arrived in the
 * request's trace headers. Each lifecycle hook adds its `journey.*` event at
 * once (nothing is buffered); `onFinished` ends the span.
 * @module
 */
import { SpanKind, SpanStatusCode, type Attributes, type SpanContext, type Tracer } from '@opentelemetry/api';
import type { FinishKind, ProgressSnapshot, RequestView, ScheduleKind } from '@x/scheduler';
import type { FailOpen } from './fail-open.js';
import { GEN_AI, JOURNEY_ATTR, JOURNEY_EVENT, SPAN } from './names.js';
import { RequestSpans } from './request-spans.js';
import { extractParent, sampledHeader } from './trace-context.js';

/** What {@link JourneySpans} needs. */
export interface JourneySpansOptions {
  readonly tracer: Tracer;
  /** The decision for requests that come without `x-journey-sampled` (straight into the engine). */
  readonly sample: () => boolean;
  readonly failOpen: FailOpen;
}

/** The attributes every journey event carries. */
export function journeyAttributes(type: string, progress: ProgressSnapshot): Attributes {
  return {
    [JOURNEY_ATTR.eventType]: type,
    [JOURNEY_ATTR.epochMs]: progress.epochMs,
    [JOURNEY_ATTR.monotonicNs]: Math.round(progress.monotonicNs),
    [JOURNEY_ATTR.step]: progress.step,
    [JOURNEY_ATTR.phase]: progress.phase,
    [JOURNEY_ATTR.prefillDone]: progress.prefillDone,
    [JOURNEY_ATTR.prefillTotal]: progress.prefillTotal,
    [JOURNEY_ATTR.decodeDone]: progress.decodeDone,
    [JOURNEY_ATTR.decodeMax]: progress.decodeMax,
    [JOURNEY_ATTR.numPreemptions]: progress.numPreemptions,
  };
}

/** Scheduler hooks that open, annotate and close `llm_core` spans. */
export class JourneySpans {
  readonly #tracer: Tracer;
  readonly #sample: () => boolean;
  readonly #failOpen: FailOpen;
  readonly #spans = new RequestSpans();
  #closed = false;

  constructor(options: JourneySpansOptions) {
    this.#tracer = options.tracer;
    this.#sample = options.sample;
    this.#failOpen = options.failOpen;
  }

  /** Requests with an open `llm_core` span. */
  get pending(): number {
    return this.#spans.size;
  }

  /** The context of a traced request's core span, for step spans to link to. */
  spanContext(requestId: string): SpanContext | undefined {
    return this.#spans.get(requestId)?.spanContext();
  }

  onQueued(request: RequestView, progress: ProgressSnapshot): void {
    try {
      if (this.#closed || !(sampledHeader(request.traceHeaders) ?? this.#sample())) return;
      const span = this.#tracer.startSpan(
        SPAN.core,
        {
          kind: SpanKind.INTERNAL,
          startTime: progress.epochMs,
          attributes: {
            [GEN_AI.requestId]: request.requestId,
            [GEN_AI.inputTokens]: request.numPromptTokens,
            [JOURNEY_ATTR.decodeMax]: request.maxOutputTokens,
          },
        },
        extractParent(request.traceHeaders),
      );
      this.#spans.add(request.requestId, span);
      span.addEvent(JOURNEY_EVENT.QUEUED, journeyAttributes('QUEUED', progress), progress.epochMs);
    } catch (error) {
      this.#failOpen.report('core span start', error);
    }
  }

  onScheduled(request: RequestView, kind: ScheduleKind, progress: ProgressSnapshot): void {
    const span = this.#spans.get(request.requestId);
    if (span === undefined) return;
    try {
      const attributes = journeyAttributes('SCHEDULED', progress);
      attributes[JOURNEY_ATTR.scheduleKind] = kind;
      span.addEvent(JOURNEY_EVENT.SCHEDULED, attributes, progress.epochMs);
    } catch (error) {
      this.#failOpen.report('core event', error);
    }
  }

  onFirstToken(request: RequestView, progress: ProgressSnapshot): void {
    this.#event(request, 'FIRST_TOKEN', JOURNEY_EVENT.FIRST_TOKEN, progress);
  }

  onPreempted(request: RequestView, progress: ProgressSnapshot): void {
    this.#event(request, 'PREEMPTED', JOURNEY_EVENT.PREEMPTED, progress);
  }

  onFinished(request: RequestView, status: FinishKind, progress: ProgressSnapshot): void {
    const span = this.#spans.take(request.requestId);
    if (span === undefined) return;
    try {
      const attributes = journeyAttributes('FINISHED', progress);
      attributes[JOURNEY_ATTR.finishStatus] = status;
      const reason = request.finishReasonText;
      if (reason !== undefined) attributes[JOURNEY_ATTR.finishReason] = reason;
      span.addEvent(JOURNEY_EVENT.FINISHED, attributes, progress.epochMs);
      span.setAttributes({
        [GEN_AI.outputTokens]: progress.decodeDone,
        [JOURNEY_ATTR.finishStatus]: status,
        [JOURNEY_ATTR.numPreemptions]: progress.numPreemptions,
      });
      // An abort is the client's choice, not a failure of the engine.
      if (status === 'error' || status === 'ignored') {
        span.setStatus({ code: SpanStatusCode.ERROR, message: reason ?? status });
      }
      span.end(progress.epochMs);
    } catch (error) {
      this.#failOpen.report('core span end', error);
    }
  }

  /** Ends every open span (as cut short by shutdown); later requests are not traced. */
  close(): void {
    this.#closed = true;
    this.#spans.endAll('tracing shut down', (error) => this.#failOpen.report('core span end', error));
  }

  #event(request: RequestView, type: string, name: string, progress: ProgressSnapshot): void {
    const span = this.#spans.get(request.requestId);
    if (span === undefined) return;
    try {
      span.addEvent(name, journeyAttributes(type, progress), progress.epochMs);
    } catch (error) {
      this.#failOpen.report('core event', error);
    }
  }
}
