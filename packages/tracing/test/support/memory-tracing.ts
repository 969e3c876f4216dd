/** Journey tracing over an in-memory exporter, and queries over the finished spans. */
import type { Attributes } from '@opentelemetry/api';
import {
  AlwaysOnSampler,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace';
import { createJourneyTracing, type JourneyTracing, type JourneyTracingOptions } from '../../src/index.js';

/** A tracing instance whose spans land in `exporter` as they end. */
export interface MemoryTracing {
  readonly tracing: JourneyTracing;
  readonly exporter: InMemorySpanExporter;
  readonly provider: TracerProvider;
  /** Finished spans named `name`. */
  spans(name: string): ReadableSpan[];
}

/** Builds journey tracing on an AlwaysOn provider with a simple processor into memory. */
export function memoryTracing(options: Omit<JourneyTracingOptions, 'tracerProvider'> = {}): MemoryTracing {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({
    sampler: new AlwaysOnSampler(),
    spanLimits: { eventCountLimit: 4096 },
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
  const tracing = createJourneyTracing({ ...options, tracerProvider: provider });
  return {
    tracing,
    exporter,
    provider,
    spans: (name) => exporter.getFinishedSpans().filter((s) => s.name === name),
  };
}

/** Event names of a span, in order. */
export function eventNames(span: ReadableSpan): string[] {
  return span.events.map((e) => e.name);
}

/** The attributes of a span's events named `name`. */
export function eventAttributes(span: ReadableSpan, name: string): Attributes[] {
  return span.events.filter((e) => e.name === name).map((e) => e.attributes ?? {});
}

/** The span whose `gen_ai.request.id` is `id`. */
export function spanOf(spans: readonly ReadableSpan[], id: string): ReadableSpan {
  const span = spans.find((s) => s.attributes['gen_ai.request.id'] === id);
  if (span === undefined) throw new Error(`no span for request ${id}`);
  return span;
}

/** The parent span id of `span` ('' for a root). */
export function parentId(span: ReadableSpan): string {
  return span.parentSpanContext?.spanId ?? '';
}
