/**
 * The real server on loopback over the real engine (the synthetic tiny
 * llama, a KV pool small enough to preempt, a token budget small enough to
 * chunk prompts), with both the viewer's recorder and `@x/tracing` (every
 * request and step, rich steps included) subscribed: the live journeys and
 * the OTLP-JSON export of the same requests, side by side.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import {
  AlwaysOnSampler,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { createEngine, SYNTHETIC_PRESETS, writeSyntheticLlamaGguf, type Engine } from '@x/engine';
import { createApp, listen, type OpenAIApp } from '@x/openai-server';
import { createJourneyTracing } from '@x/tracing';
import { createJourneyViewer, type JourneyViewer } from '../../src/index.js';

/** The served model's name. */
export const MODEL = 'tiny';

/** A server under test. */
export interface TracedServer {
  readonly url: string;
  readonly engine: Engine;
  readonly app: OpenAIApp;
  readonly viewer: JourneyViewer;
  /** The finished spans so far as OTLP-JSON export requests (one per batch of `batchSize` spans). */
  otlpJson(batchSize?: number): string[];
  close(): Promise<void>;
}

/** Starts it (with `apiKeys`, the app's key check); the viewer's routes are mounted at `/journeys`. */
export async function startTracedServer(apiKeys?: readonly string[]): Promise<TracedServer> {
  const dir = mkdtempSync(join(tmpdir(), 'journey-viewer-'));
  const model = join(dir, 'tiny.gguf');
  writeSyntheticLlamaGguf(model, SYNTHETIC_PRESETS['tiny-random-llama']);
  const engine = await createEngine({
    model,
    kvCache: { numBlocks: 12 },
    blockSize: 16,
    // The context the pool can hold: 12 blocks × 16 tokens.
    maxModelLen: 192,
    maxNumBatchedTokens: 64,
    enablePrefixCaching: false,
  });
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({
    sampler: new AlwaysOnSampler(),
    spanLimits: { eventCountLimit: 4096 },
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
  const tracing = createJourneyTracing({
    tracerProvider: provider,
    stepTracing: { enabled: true, sampleRate: 1, richSubsampleRate: 1 },
  });
  const viewer = createJourneyViewer();
  engine.use(tracing.schedulerPlugin);
  engine.use(viewer.schedulerPlugin);
  const app = createApp({
    engine,
    servedModelName: MODEL,
    apiKeys,
    plugins: [tracing.serverPlugin, viewer.serverPlugin],
  });
  app.hono.route('/journeys', viewer.routes());
  const server = await listen(app, { host: '127.0.0.1', port: 0 });
  return {
    url: server.url,
    engine,
    app,
    viewer,
    otlpJson(batchSize = Infinity) {
      const spans = exporter.getFinishedSpans();
      const docs: string[] = [];
      for (let i = 0; i < spans.length; i += Math.min(batchSize, spans.length)) {
        const bytes = JsonTraceSerializer.serializeRequest(spans.slice(i, i + batchSize))!;
        docs.push(new TextDecoder().decode(bytes));
      }
      return docs;
    },
    async close() {
      viewer.close();
      await server.close(1000);
      app.close();
      await engine.shutdown();
      await tracing.shutdown();
      await provider.shutdown();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
