/**
 * The API layer's half of a journey: one `llm_request` span per sampled HTTP
 * request, driven by the server's request hooks. `onArrived` makes the
 * sampling decision once and writes it, with the span's context, into the
 * request's trace headers, so the core traces exactly the same requests.
 * @module
 */
import { SpanKind, SpanStatusCode, type Attributes, type Tracer } from '@opentelemetry/api';
import type { FailOpen } from './fail-open.js';
import { API_ATTR, API_EVENT, GEN_AI, HEADER, SPAN } from './names.js';
import { RequestSpans } from './request-spans.js';
import type {
  ServerPlugin,
  ServerRequestInfo,
  ServerRequestParams,
  ServerRequestResult,
  TraceHeaderWriter,
} from './server-hooks.js';
import { contextHeaders, extractParent } from './trace-context.js';

/** What {@link ApiSpans} needs. */
export interface ApiSpansOptions {
  readonly tracer: Tracer;
  /** One draw per request: trace it or not. */
  readonly sample: () => boolean;
  /**
   * False when the rate is 0: the core, drawing at the same rate, then
   * decides the same without being told, so nothing is written per request.
   */
  readonly announceUnsampled: boolean;
  readonly failOpen: FailOpen;
}

const OPERATION: Readonly<Record<ServerRequestInfo['endpoint'], string>> = {
  'chat.completions': 'chat',
  completions: 'text_completion',
};

/** Converts the server's monotonic arrival reading to epoch ms on the SDK's own clock. */
function arrivalTime(req: ServerRequestInfo): number {
  return performance.timeOrigin + req.arrivalMonotonicNs / 1e6;
}

/**
 * Epoch ms from the monotonic clock, for every later event and the end. A span given an explicit
 * start time stamps time-less events with `Date.now()` (whole ms), which could put them out of
 * order with the scheduler's sub-ms events.
 */
const now = (): number => performance.timeOrigin + performance.now();

/** Server hooks that open, annotate and close `llm_request` spans. */
export class ApiSpans implements ServerPlugin {
  readonly name = '@x/tracing';
  readonly #tracer: Tracer;
  readonly #sample: () => boolean;
  readonly #announceUnsampled: boolean;
  readonly #failOpen: FailOpen;
  readonly #spans = new RequestSpans();
  #closed = false;

  constructor(options: ApiSpansOptions) {
    this.#tracer = options.tracer;
    this.#sample = options.sample;
    this.#announceUnsampled = options.announceUnsampled;
    this.#failOpen = options.failOpen;
  }

  /** Requests with an open `llm_request` span. */
  get pending(): number {
    return this.#spans.size;
  }

  onArrived(req: ServerRequestInfo, trace: TraceHeaderWriter): void {
    let traced = false;
    try {
      if (!this.#closed && this.#sample()) traced = this.#start(req, trace);
    } catch (error) {
      this.#failOpen.report('api span start', error);
    }
    // Stated, so the core never makes a second, independent decision for a served request.
    if (traced || this.#announceUnsampled) trace.set(HEADER.sampled, traced ? '1' : '0');
  }

  onHandoff(req: ServerRequestInfo, params: ServerRequestParams): void {
    const span = this.#spans.get(req.requestId);
    if (span === undefined) return;
    try {
      const attributes: Attributes = {
        [GEN_AI.requestModel]: params.model,
        [GEN_AI.inputTokens]: params.promptTokens,
        [GEN_AI.choiceCount]: params.n,
        [GEN_AI.stream]: params.stream,
      };
      if (params.maxTokens !== undefined) attributes[GEN_AI.maxTokens] = params.maxTokens;
      if (params.temperature !== undefined) attributes[GEN_AI.temperature] = params.temperature;
      if (params.topP !== undefined) attributes[GEN_AI.topP] = params.topP;
      if (params.topK !== undefined) attributes[GEN_AI.topK] = params.topK;
      if (params.seed !== undefined) attributes[GEN_AI.seed] = params.seed;
      if (params.presencePenalty !== undefined) attributes[GEN_AI.presencePenalty] = params.presencePenalty;
      if (params.frequencyPenalty !== undefined)
        attributes[GEN_AI.frequencyPenalty] = params.frequencyPenalty;
      span.setAttributes(attributes);
      span.addEvent(API_EVENT.HANDOFF, now());
    } catch (error) {
      this.#failOpen.report('api handoff', error);
    }
  }

  onFirstResponse(req: ServerRequestInfo): void {
    const span = this.#spans.get(req.requestId);
    if (span === undefined) return;
    try {
      span.addEvent(API_EVENT.FIRST_RESPONSE, now());
    } catch (error) {
      this.#failOpen.report('api first response', error);
    }
  }

  onDeparted(req: ServerRequestInfo, result: ServerRequestResult): void {
    const span = this.#spans.take(req.requestId);
    if (span === undefined) return;
    try {
      span.setAttributes({
        [GEN_AI.outputTokens]: result.completionTokens,
        [GEN_AI.finishReasons]: result.finishReasons.map((reason) => reason ?? 'none'),
      });
      const time = now();
      span.addEvent(API_EVENT.DEPARTED, time);
      span.end(time);
    } catch (error) {
      this.#failOpen.report('api span end', error);
    }
  }

  onAborted(req: ServerRequestInfo, reason: string, status: number): void {
    const span = this.#spans.take(req.requestId);
    if (span === undefined) return;
    try {
      const time = now();
      span.addEvent(
        API_EVENT.ABORTED,
        { [API_ATTR.abortReason]: reason, [API_ATTR.httpStatus]: status },
        time,
      );
      span.setAttribute(API_ATTR.httpStatus, status);
      span.setAttribute(API_ATTR.errorType, 'aborted');
      span.setStatus({ code: SpanStatusCode.ERROR, message: reason });
      span.end(time);
    } catch (error) {
      this.#failOpen.report('api span end', error);
    }
  }

  /** Ends every open span (as cut short by shutdown); later requests are not traced. */
  close(): void {
    this.#closed = true;
    this.#spans.endAll('tracing shut down', (error) => this.#failOpen.report('api span end', error));
  }

  /** Opens the span and writes its context into the trace headers; false if the provider dropped it. */
  #start(req: ServerRequestInfo, trace: TraceHeaderWriter): boolean {
    const startTime = arrivalTime(req);
    const span = this.#tracer.startSpan(
      SPAN.request,
      {
        kind: SpanKind.SERVER,
        startTime,
        attributes: {
          [GEN_AI.operationName]: OPERATION[req.endpoint],
          [GEN_AI.requestId]: req.requestId,
          [GEN_AI.responseId]: req.requestId,
          [API_ATTR.endpoint]: req.endpoint,
        },
      },
      extractParent(req.headers),
    );
    try {
      if (!span.isRecording()) {
        span.end();
        return false;
      }
      span.addEvent(API_EVENT.ARRIVED, startTime);
      const headers = contextHeaders(span);
      this.#spans.add(req.requestId, span);
      for (const name in headers) trace.set(name, headers[name]!);
      return true;
    } catch (error) {
      // Untraced after all: the span must not stay open, nor the core start half a trace.
      this.#spans.take(req.requestId);
      span.end();
      throw error;
    }
  }
}
