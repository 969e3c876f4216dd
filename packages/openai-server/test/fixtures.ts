/** A real server on loopback over the real engine on stories260K, and the test models. */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect } from '@jest/globals';
import { createEngine, type Engine, type EngineOptions } from '@x/engine';
import { modelPath } from '@x/test-models';
import OpenAI from 'openai';
import { createApp, listen, type AppOptions, type OpenAIApp } from '../src/index.js';

export { modelPath };

/** One run of llama2.c's run.c on stories260K. */
export interface GoldenRun {
  prompt: string;
  prompt_token_ids: number[];
  generated_token_ids: number[];
  generated_text: string;
}

export const goldenRuns = (): GoldenRun[] =>
  (JSON.parse(readFileSync(modelPath('stories260K.golden.json'), 'utf8')) as { runs: GoldenRun[] }).runs;

/** The served name in tests. */
export const MODEL = 'stories260K';

/** A server under test. */
export interface TestServer {
  readonly url: string;
  readonly engine: Engine;
  readonly app: OpenAIApp;
  close(): Promise<void>;
}

/** Starts the engine on stories260K and serves it on 127.0.0.1 with a free port. */
export async function startTestServer(
  app: Partial<AppOptions> = {},
  engineOptions: Partial<EngineOptions> = {},
): Promise<TestServer> {
  const engine = await createEngine({
    model: modelPath('stories260K.gguf'),
    kvCache: { numBlocks: 512 },
    ...engineOptions,
  });
  // No periodic stats line unless a test asks: it would land among the request lines tests read.
  const openai = createApp({ engine, servedModelName: MODEL, logStats: false, ...app });
  const server = await listen(openai, { host: '127.0.0.1', port: 0 });
  return {
    url: server.url,
    engine,
    app: openai,
    async close() {
      await server.close(1000);
      openai.close();
      await engine.shutdown();
    },
  };
}

/** Polls `check` until it holds or `timeoutMs` passes. */
export async function waitFor(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** POSTs `body` as JSON. */
export function postJson(
  url: string,
  body: unknown,
  init: { headers?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...init.headers },
    body: JSON.stringify(body),
    ...(init.signal && { signal: init.signal }),
  });
}

/** The `data:` payloads of an SSE response, parsed (`[DONE]` kept as the string). */
export async function* sseEvents(response: Response): AsyncGenerator<unknown> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const bytes of response.body!) {
    buffer += decoder.decode(bytes as Uint8Array, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const data = buffer.slice(0, end).replace(/^data: /, '');
      buffer = buffer.slice(end + 2);
      yield data === '[DONE]' ? data : JSON.parse(data);
    }
  }
}

/** The text of each choice of a streamed completion, and every event. */
export async function streamedCompletion(response: Response): Promise<{ text: string[]; events: unknown[] }> {
  const text: string[] = [];
  const events: unknown[] = [];
  for await (const event of sseEvents(response)) {
    events.push(event);
    if (event === '[DONE]') continue;
    for (const choice of (event as { choices: { index: number; text: string }[] }).choices) {
      text[choice.index] = (text[choice.index] ?? '') + choice.text;
    }
  }
  return { text, events };
}

/** The official client against `url` (no retries), keeping every warning or error it logs. */
function recordingClient(url: string): { client: OpenAI; warnings: unknown[][] } {
  const warnings: unknown[][] = [];
  const record = (...args: unknown[]) => void warnings.push(args);
  const client = new OpenAI({
    baseURL: `${url}/v1`,
    apiKey: 'unused',
    maxRetries: 0,
    logLevel: 'warn',
    logger: { error: record, warn: record, info: () => {}, debug: () => {} },
  });
  return { client, warnings };
}

/**
 * For a test file: a server on stories260K started before its tests and the official client for it;
 * after them the server is closed and the client must have logged no warning, i.e. it parsed every
 * response without complaint. The fields are set once the file's `beforeAll` has run.
 */
export function serveWithClient(app: Partial<AppOptions> = {}): {
  readonly server: TestServer;
  readonly client: OpenAI;
} {
  const served = {} as { server: TestServer; client: OpenAI; warnings: unknown[][] };
  beforeAll(async () => {
    served.server = await startTestServer(app);
    Object.assign(served, recordingClient(served.server.url));
  });
  afterAll(async () => {
    await served.server.close();
    expect(served.warnings).toEqual([]);
  });
  return served;
}
