/** The real OpenAI server on loopback over the real engine, with journey tracing subscribed to both. */
import { createEngine, type Engine, type EngineOptions } from '@x/engine';
import { createApp, listen, type OpenAIApp } from '@x/openai-server';
import type { JourneyTracingOptions } from '../../src/index.js';
import { memoryTracing, type MemoryTracing } from './memory-tracing.js';
import { modelPath } from '@x/test-models';

/** A traced server under test. */
export interface TracedServer extends MemoryTracing {
  readonly url: string;
  readonly engine: Engine;
  readonly app: OpenAIApp;
  close(): Promise<void>;
}

/** Starts stories260K behind the server, both hooked to one in-memory journey tracing. */
export async function startTracedServer(
  tracing: Omit<JourneyTracingOptions, 'tracerProvider'> = {},
  engineOptions: Partial<EngineOptions> = {},
): Promise<TracedServer> {
  const engine = await createEngine({
    model: modelPath('stories260K.gguf'),
    kvCache: { numBlocks: 256 },
    ...engineOptions,
  });
  const t = memoryTracing(tracing);
  engine.use(t.tracing.schedulerPlugin);
  const app = createApp({ engine, servedModelName: 'stories260K', plugins: [t.tracing.serverPlugin] });
  const server = await listen(app, { host: '127.0.0.1', port: 0 });
  return {
    ...t,
    url: server.url,
    engine,
    app,
    async close() {
      await server.close(1000);
      app.close();
      await engine.shutdown();
      await t.tracing.shutdown();
    },
  };
}

/** POSTs `body` as JSON. */
export function post(url: string, body: unknown, headers: Record<string, string> = {}, signal?: AbortSignal) {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    ...(signal && { signal }),
  });
}

/** Reads an SSE body; calls `onData` with each `data:` payload as it arrives. */
export async function readSse(response: Response, onData: (data: string) => void): Promise<void> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const bytes of response.body!) {
    buffer += decoder.decode(bytes as Uint8Array, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      onData(buffer.slice(0, end).replace(/^data: /, ''));
      buffer = buffer.slice(end + 2);
    }
  }
}

/** Polls `check` until it holds or `timeoutMs` passes. */
export async function waitFor(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
