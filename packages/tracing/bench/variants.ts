/**
 * The four configurations every workload is measured in: tracing absent,
 * installed but disabled (sample rate 0), enabled at 1.0, and enabled with
 * rich step tracing at 1.0. Spans go through the real pipeline (batch
 * processor, OTLP/HTTP protobuf exporter) to a sink in a worker thread.
 */
import { Worker } from 'node:worker_threads';
import type { SchedulerPlugin } from '@x/scheduler';
import { createJourneyTracing, createTracerProvider, type ServerPlugin } from '../dist/index.js';

/** A configuration's name. */
export type VariantName = 'absent' | 'disabled' | 'enabled' | 'rich steps';

export const VARIANTS: readonly VariantName[] = ['absent', 'disabled', 'enabled', 'rich steps'];

/** What a workload subscribes, and how to take it down. */
export interface Variant {
  readonly server: ServerPlugin | undefined;
  readonly scheduler: SchedulerPlugin | undefined;
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
  if (name === 'absent') return { server: undefined, scheduler: undefined, close: async () => {} };
  const provider = createTracerProvider({
    endpoint: sink.url,
    serviceName: 'x-llm-bench',
    batch: { maxQueueSize: 65_536 },
  });
  const tracing = createJourneyTracing({
    tracerProvider: provider,
    sampleRate: name === 'disabled' ? 0 : 1,
    stepTracing: { enabled: name === 'rich steps', sampleRate: 1, richSubsampleRate: 1 },
  });
  return {
    server: tracing.serverPlugin,
    scheduler: tracing.schedulerPlugin,
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

/** CPU µs of this process so far (user + system). */
export function cpuUs(): number {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
}
