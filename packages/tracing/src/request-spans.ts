/**
 * The open spans of in-flight requests, by request id. Taking a span out
 * removes it first, so a tracer that throws while the span is being ended can
 * never leave an entry behind; `endAll` closes whatever is left at shutdown.
 * @module
 */
import { SpanStatusCode, type Span } from '@opentelemetry/api';

/** Open spans keyed by request id. */
export class RequestSpans {
  readonly #spans = new Map<string, Span>();

  /** Spans open now. */
  get size(): number {
    return this.#spans.size;
  }

  /** Tracks `span`; a stale span under the same id (a reused id) is ended first. */
  add(requestId: string, span: Span): void {
    const stale = this.#spans.get(requestId);
    this.#spans.set(requestId, span);
    stale?.end();
  }

  /** The open span of `requestId`, if it is traced. */
  get(requestId: string): Span | undefined {
    return this.#spans.get(requestId);
  }

  /** Removes and returns the span of `requestId`. */
  take(requestId: string): Span | undefined {
    const span = this.#spans.get(requestId);
    if (span !== undefined) this.#spans.delete(requestId);
    return span;
  }

  /** Ends every open span as cut short by `reason` and forgets them all; each end is attempted. */
  endAll(reason: string, onError: (error: unknown) => void): void {
    const spans = [...this.#spans.values()];
    this.#spans.clear();
    for (const span of spans) {
      try {
        span.setStatus({ code: SpanStatusCode.ERROR, message: reason });
        span.end();
      } catch (error) {
        onError(error);
      }
    }
  }
}
