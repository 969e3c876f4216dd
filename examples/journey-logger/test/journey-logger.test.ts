/**
 * The journey logger on the real engine (stories260K) behind the real server:
 * one line per event, in each request's order, from both hook APIs; nothing
 * left pending after completions, disconnects and rejections.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createEngine, type Engine } from '@x/engine';
import { createApp, listen, type ListeningServer } from '@x/openai-server';
import { modelPath } from '@x/test-models';
import { createJourneyLogger, type JourneyLine, type JourneyLogger } from '../src/index.js';

const MODEL = modelPath('stories260K.gguf');

let engine: Engine;
let server: ListeningServer;
let logger: JourneyLogger;
const lines: JourneyLine[] = [];

beforeAll(async () => {
  // A small pool, so concurrent requests get preempted (and a context it can hold: 12 × 16 tokens).
  engine = await createEngine({
    model: MODEL,
    kvCache: { numBlocks: 12 },
    maxModelLen: 192,
    enablePrefixCaching: false,
  });
  logger = createJourneyLogger({ write: (line) => lines.push(JSON.parse(line) as JourneyLine) });
  engine.use(logger.schedulerPlugin);
  const app = createApp({ engine, servedModelName: 'stories260K', plugins: [logger.serverPlugin] });
  server = await listen(app, { port: 0 });
});
afterAll(async () => {
  await server.close(1000);
  await engine.shutdown();
});

const post = (path: string, body: object, signal?: AbortSignal) =>
  fetch(server.url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'stories260K', ...body }),
    ...(signal && { signal }),
  });
const journey = (id: string) => lines.filter((l) => l.requestId === id).map((l) => `${l.layer}.${l.event}`);

describe('journey logger', () => {
  it('logs each request from arrival to departure, both layers interleaved in order', async () => {
    const response = await post('/v1/completions', {
      prompt: 'Once upon a time',
      max_tokens: 5,
      temperature: 0,
    });
    const { id } = (await response.json()) as { id: string };
    expect(journey(id)).toEqual([
      'api.ARRIVED',
      'api.HANDOFF',
      'core.QUEUED',
      'core.SCHEDULED',
      'core.FIRST_TOKEN',
      'api.FIRST_RESPONSE',
      'core.FINISHED',
      'api.DEPARTED',
    ]);
    const finished = lines.find((l) => l.requestId === id && l.event === 'FINISHED')!;
    expect(finished).toMatchObject({ status: 'length', decode: '5/5', phase: 'DECODE', preemptions: 0 });
    const departed = lines.find((l) => l.requestId === id && l.event === 'DEPARTED')!;
    expect(departed).toMatchObject({ completionTokens: 5, finishReasons: ['length'] });
    expect(departed.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('shows preemptions when requests outgrow the KV pool', async () => {
    const prompts = ['cat', 'dog', 'bird', 'fish', 'frog', 'bear'].map(
      (a) => `Once upon a time there was a ${a}`,
    );
    const responses = await Promise.all(
      prompts.map((prompt) =>
        post('/v1/completions', { prompt, max_tokens: 60, ignore_eos: true, stream: true }),
      ),
    );
    await Promise.all(responses.map((r) => r.text()));
    const preempted = lines.filter((l) => l.event === 'PREEMPTED');
    expect(preempted.length).toBeGreaterThan(0);
    for (const line of preempted) {
      const after = journey(line.requestId);
      expect(after.at(-1)).toBe('api.DEPARTED');
      expect(after).toContain('core.SCHEDULED');
    }
    const resumed = lines.filter((l) => l.event === 'SCHEDULED' && l.kind === 'RESUME');
    expect(resumed.length).toBeGreaterThan(0);
  });

  it('ends a disconnected stream and a rejected request with ABORTED, leaving nothing pending', async () => {
    const controller = new AbortController();
    const response = await post(
      '/v1/completions',
      { prompt: 'Lily', max_tokens: 180, ignore_eos: true, stream: true },
      controller.signal,
    );
    const reader = response.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    const id = (JSON.parse(first.slice('data: '.length).split('\n')[0]!) as { id: string }).id;
    controller.abort();
    const rejected = await post('/v1/completions', { prompt: 'Lily', max_tokens: 0 });
    expect(rejected.status).toBe(400);
    for (let i = 0; i < 200 && logger.pending > 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(logger.pending).toBe(0);
    expect(journey(id).at(-1)).toBe('api.ABORTED');
    expect(lines.find((l) => l.requestId === id && l.event === 'FINISHED')).toMatchObject({
      status: 'aborted',
    });
    const aborted = lines.filter((l) => l.event === 'ABORTED');
    expect(aborted.some((l) => String(l.reason).includes('max_tokens'))).toBe(true);
  });
});
