/** A span processor that counts starts and ends and keeps the names seen per trace, without keeping spans. */
import type { Context } from '@opentelemetry/api';
import {
  AlwaysOnSampler,
  TracerProvider,
  type ReadableSpan,
  type Span,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';

/** Counts spans as they start and end. */
export class SpanCounter implements SpanProcessor {
  started = 0;
  ended = 0;
  /** Span names by trace id, in order of ending. */
  readonly traces = new Map<string, string[]>();

  onStart(_span: Span, _context: Context): void {
    this.started++;
  }

  onEnd(span: ReadableSpan): void {
    this.ended++;
    const id = span.spanContext().traceId;
    const names = this.traces.get(id) ?? [];
    names.push(span.name);
    this.traces.set(id, names);
  }

  async forceFlush(): Promise<void> {}
  async shutdown(): Promise<void> {}
}

/** An AlwaysOn provider feeding a fresh {@link SpanCounter}. */
export function countingProvider(): { provider: TracerProvider; counter: SpanCounter } {
  const counter = new SpanCounter();
  return {
    provider: new TracerProvider({ sampler: new AlwaysOnSampler(), spanProcessors: [counter] }),
    counter,
  };
}
