/**
 * The four configurations every workload is measured in: tracing absent,
 * installed but disabled (sample rate 0), enabled at 1.0, and enabled with
 * rich step tracing at 1.0. Spans go through the real pipeline (batch
 * processor, OTLP/HTTP protobuf exporter) to a sink in a worker thread.
 */
import { Worker } from 'node:worker_threads';
import type { SchedulerPlugin } from '@x/scheduler';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import { createJourneyTracing, createTracerProvider, type ServerPlugin } from '../dist/index.js';

/** A configuration's name. */
export type VariantName = 'absent' | 'disabled' | 'enabled' | 'rich steps';

export const VARIANTS: readonly VariantName[] = ['absent', 'disabled', 'enabled', 'rich steps'];

/** What a workload subscribes, and how to take it down. */
export interface Variant {
  readonly server: ServerPlugin | undefined;
  readonly scheduler: SchedulerPlugin | undefined;
  /** CPU ms of the main thread spent in the plugins' hooks and the exporter's synchronous export calls so far. */
  readonly tracingMs: () => number;
  /** Ends open spans and flushes. */
  close(): Promise<void>;
}

/** The OTLP sink, started once per bench run. */
export interface Sink {
  readonly url: string;
  close(): Promise<void>;
}

/** Starts the sink worker. */
export async function startSink(): Promise<Sink> {
  const worker = new Worker(new URL('./receiver-worker.ts', import.meta.url));
  const port = await new Promise<number>((resolve) =>
    worker.once('message', (m: { port: number }) => resolve(m.port)),
  );
  return {
    url: `http://127.0.0.1:${port}/v1/traces`,
    close: async () => {
      worker.postMessage('close');
      await new Promise((resolve) => worker.once('exit', resolve));
    },
  };
}

/** Builds `name` against `sink`. */
export function variant(name: VariantName, sink: Sink): Variant {
  if (name === 'absent') {
    return { server: undefined, scheduler: undefined, tracingMs: () => 0, close: async () => {} };
  }
  const meter = { ms: 0 };
  const provider = createTracerProvider({
    exporter: timedExporter(new OTLPTraceExporter({ url: sink.url }), meter),
    serviceName: 'x-llm-bench',
    batch: { maxQueueSize: 65_536 },
  });
  const tracing = createJourneyTracing({
    tracerProvider: provider,
    sampleRate: name === 'disabled' ? 0 : 1,
    stepTracing: { enabled: name === 'rich steps', sampleRate: 1, richSubsampleRate: 1 },
  });
  return {
    // Disabled hooks cost less than the meter would: they run unwrapped.
    server: name === 'disabled' ? tracing.serverPlugin : timed(tracing.serverPlugin, meter),
    scheduler: name === 'disabled' ? tracing.schedulerPlugin : timed(tracing.schedulerPlugin, meter),
    tracingMs: () => (name === 'disabled' ? Number.NaN : meter.ms),
    close: async () => {
      await tracing.shutdown();
      await provider.shutdown();
    },
  };
}

/** The value at quantile `q` of `values`. */
export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

/** CPU ms of the calling thread (not waits, not other processes: the bench machine may be busy). */
function threadCpuMs(): number {
  const usage = process.threadCpuUsage();
  return (usage.user + usage.system) / 1000;
}

/** CPU µs of this process so far (user + system). */
export function cpuUs(): number {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
}

const HOOKS = [
  'onArrived',
  'onHandoff',
  'onFirstResponse',
  'onDeparted',
  'onAborted',
  'onQueued',
  'onScheduled',
  'onFirstToken',
  'onPreempted',
  'onFinished',
  'onStep',
] as const;

/** `plugin` with each hook (own or inherited) timed into `meter`. */
function timed<P extends object>(plugin: P, meter: { ms: number }): P {
  const out: Record<string, unknown> = { name: (plugin as { name?: string }).name };
  for (const key of HOOKS) {
    const hook = (plugin as Record<string, unknown>)[key];
    if (typeof hook !== 'function') continue;
    out[key] = (...args: unknown[]) => {
      const t0 = threadCpuMs();
      try {
        return (hook as (...a: unknown[]) => unknown).apply(plugin, args);
      } finally {
        meter.ms += threadCpuMs() - t0;
      }
    };
  }
  return out as P;
}

/** `exporter` with the synchronous part of each export (serialization, request start) timed into `meter`. */
function timedExporter(exporter: SpanExporter, meter: { ms: number }): SpanExporter {
  return {
    export(spans, done) {
      const t0 = threadCpuMs();
      try {
        exporter.export(spans, done);
      } finally {
        meter.ms += threadCpuMs() - t0;
      }
    },
    shutdown: () => exporter.shutdown(),
    forceFlush: () => exporter.forceFlush?.() ?? Promise.resolve(),
  };
}
