/**
 * Many requests at once: outputs stay independent and equal to solo runs,
 * disconnecting clients free their KV blocks at once, and a full queue
 * answers 503.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import {
  MODEL,
  postJson,
  sseEvents,
  startTestServer,
  streamedCompletion,
  waitFor,
  type TestServer,
} from './fixtures.js';

const PROMPTS = [
  'Once upon a time',
  'Lily wanted',
  'The dog',
  'Tom and Sue',
  'One day, a little',
  'The sun was',
  'Ben had a',
  'Mom said',
];

describe('one server, many clients', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  const completions = () => `${server.url}/v1/completions`;
  // Eight distinct requests, eight copies of each, of different lengths.
  const greedy = (i: number) => ({
    model: MODEL,
    prompt: PROMPTS[i % PROMPTS.length],
    temperature: 0,
    max_tokens: 16 + (i % PROMPTS.length) * 2,
    ignore_eos: true,
  });

  test('64 simultaneous streams each give their solo greedy output', async () => {
    const solo = new Map<string, string>();
    for (let i = 0; i < PROMPTS.length; i++) {
      const params = greedy(i);
      const key = JSON.stringify(params);
      const res = (await (await postJson(completions(), params)).json()) as { choices: { text: string }[] };
      solo.set(key, res.choices[0]!.text);
    }
    const results = await Promise.all(
      Array.from({ length: 64 }, async (_, i) => {
        const params = greedy(i);
        const res = await postJson(completions(), { ...params, stream: true });
        expect(res.status).toBe(200);
        const { text, events } = await streamedCompletion(res);
        expect(events.at(-1)).toBe('[DONE]');
        return { key: JSON.stringify(params), text: text[0] };
      }),
    );
    for (const r of results) expect(r.text).toBe(solo.get(r.key));
    expect(server.engine.core.scheduler.kvCacheUsage().blocksUsed).toBe(0);
  });

  test('20 clients that disconnect mid-stream leave no KV block held', async () => {
    const aborted = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const controller = new AbortController();
        const res = await postJson(
          completions(),
          { ...greedy(i), max_tokens: 400, stream: true },
          { signal: controller.signal },
        );
        let chunks = 0;
        try {
          for await (const event of sseEvents(res)) {
            expect(event).not.toBe('[DONE]');
            if (++chunks === 3) controller.abort();
          }
        } catch (error) {
          return (error as Error).name;
        }
        return 'not aborted';
      }),
    );
    expect(new Set(aborted)).toEqual(new Set(['AbortError']));
    const { scheduler } = server.engine.core;
    await waitFor(() => scheduler.kvCacheUsage().blocksUsed === 0 && !server.engine.core.busy, 2000);
    expect(scheduler.numRunning + scheduler.numWaiting).toBe(0);
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    const after = await postJson(completions(), greedy(0));
    expect(after.status).toBe(200);
  });

  test('a non-streamed request whose client leaves is aborted too', async () => {
    const controller = new AbortController();
    const pending = postJson(completions(), { ...greedy(1), max_tokens: 400 }, { signal: controller.signal });
    await waitFor(() => server.engine.core.scheduler.numRunning > 0);
    controller.abort();
    await expect(pending).rejects.toThrow();
    await waitFor(() => !server.engine.core.busy, 2000);
    expect(server.engine.core.scheduler.kvCacheUsage().blocksUsed).toBe(0);
  });
});

describe('a bounded queue', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ maxPendingRequests: 1 }, { maxNumSeqs: 1 });
  });
  afterAll(() => server.close());

  test('answers 503 with Retry-After once the queue is full, and serves again after', async () => {
    const url = `${server.url}/v1/completions`;
    const long = { model: MODEL, prompt: 'The dog', max_tokens: 60, ignore_eos: true, temperature: 0 };
    const running = postJson(url, long);
    await waitFor(() => server.engine.core.scheduler.numRunning === 1);
    const waiting = postJson(url, long);
    await waitFor(() => server.engine.core.scheduler.numWaiting === 1);
    const refused = await postJson(url, long);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(((await refused.json()) as { error: { type: string } }).error.type).toBe(
      'ServiceUnavailableError',
    );
    expect((await running).status).toBe(200);
    expect((await waiting).status).toBe(200);
    expect((await postJson(url, { ...long, max_tokens: 4 })).status).toBe(200);
  });
});
