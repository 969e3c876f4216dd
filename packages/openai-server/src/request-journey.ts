/**
 * One generation request's path through the server: it carries the trace
 * headers to the engine, fires the server hooks in order, makes sure exactly
 * one terminal event (departed or aborted) happens, and reports the request's
 * summary for its log line.
 * @module
 */
import type { ServerRequestInfo, ServerRequestParams, ServerRequestResult } from './hooks.js';
import type { PluginHub, Subscription } from './plugin-hub.js';

/** A finished request, for its log line. */
export interface JourneyEnd {
  readonly requestId: string;
  readonly endpoint: ServerRequestInfo['endpoint'];
  /** The HTTP status sent (499 when the client went away). */
  readonly status: number;
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly latencyMs: number;
  /** Why it was aborted, if it was. */
  readonly reason?: string;
}

/** Headers copied from the client into the engine request when present. */
const TRACE_HEADERS = ['traceparent', 'tracestate'] as const;

/** The hook events of one request. */
export class RequestJourney {
  readonly info: ServerRequestInfo;
  /** The incoming W3C trace context plus whatever `onArrived` hooks set. */
  readonly traceHeaders: Record<string, string> = {};
  readonly #hub: PluginHub;
  /** The plugins listening at arrival; undefined when none did, so each hook point costs one check. */
  readonly #subscriptions: readonly Subscription[] | undefined;
  readonly #onEnd: (end: JourneyEnd) => void;
  #afterEnd: (() => void) | undefined;
  #promptTokens = 0;
  #responded = false;
  #ended = false;

  /** Fires `onArrived`. */
  constructor(hub: PluginHub, info: ServerRequestInfo, onEnd: (end: JourneyEnd) => void) {
    this.info = info;
    this.#hub = hub;
    this.#onEnd = onEnd;
    for (const name of TRACE_HEADERS) {
      const value = info.headers[name];
      if (value !== undefined) this.traceHeaders[name] = value;
    }
    if (!hub.active) return;
    this.#subscriptions = hub.subscriptions;
    const writer = {
      set: (name: string, value: string) => void (this.traceHeaders[name.toLowerCase()] = value),
    };
    hub.dispatch(this.#subscriptions, 'onArrived', info, writer);
  }

  /** True once departed or aborted. */
  get ended(): boolean {
    return this.#ended;
  }

  /** The trace headers for the engine, or undefined when there are none. */
  engineTraceHeaders(): Readonly<Record<string, string>> | undefined {
    return Object.keys(this.traceHeaders).length > 0 ? this.traceHeaders : undefined;
  }

  /** Calls `listener` once the journey ends (one listener: the HTTP metrics'). */
  whenEnded(listener: () => void): void {
    this.#afterEnd = listener;
  }

  /** The request was validated and handed to the engine. */
  handoff(params: ServerRequestParams): void {
    this.#promptTokens = params.promptTokens;
    if (this.#subscriptions) this.#hub.dispatch(this.#subscriptions, 'onHandoff', this.info, params);
  }

  /** The engine's first output arrived (fires once). */
  firstResponse(): void {
    if (this.#responded) return;
    this.#responded = true;
    if (this.#subscriptions) this.#hub.dispatch(this.#subscriptions, 'onFirstResponse', this.info);
  }

  /** The response is complete; ignored after the first terminal event. */
  depart(result: ServerRequestResult): void {
    if (!this.#end(200, result.completionTokens)) return;
    if (this.#subscriptions) this.#hub.dispatch(this.#subscriptions, 'onDeparted', this.info, result);
  }

  /** The request failed or was cancelled; ignored after the first terminal event. */
  abort(reason: string, status: number, completionTokens = 0): void {
    if (!this.#end(status, completionTokens, reason)) return;
    if (this.#subscriptions) this.#hub.dispatch(this.#subscriptions, 'onAborted', this.info, reason, status);
  }

  #end(status: number, completionTokens: number, reason?: string): boolean {
    if (this.#ended) return false;
    this.#ended = true;
    this.#onEnd({
      requestId: this.info.requestId,
      endpoint: this.info.endpoint,
      status,
      promptTokens: this.#promptTokens,
      completionTokens,
      latencyMs: performance.now() - this.info.arrivalMonotonicNs / 1e6,
      ...(reason !== undefined && { reason }),
    });
    this.#afterEnd?.();
    return true;
  }
}
