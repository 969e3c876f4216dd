/**
 * Admission under `--max-pending-requests` and priority scheduling: a request
 * that can never fit the queue is a 400 naming the field, and a request's
 * `priority` orders the queue.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { MODEL, postJson, startTestServer, waitFor, type TestServer } from './fixtures.js';

let server: TestServer;
/** Engine request ids in the order they were first scheduled. */
const scheduled: string[] = [];
beforeAll(async () => {
  server = await startTestServer({ maxPendingRequests: 4 }, { maxNumSeqs: 1, schedulingPolicy: 'priority' });
  server.engine.use({
    onScheduled: (request) => {
      if (!scheduled.includes(request.requestId)) scheduled.push(request.requestId);
    },
  });
});
afterAll(() => server.close());

const completions = () => `${server.url}/v1/completions`;
const request = (extra: Record<string, unknown>) => ({
  model: MODEL,
  prompt: 'The dog',
  max_tokens: 2,
  temperature: 0,
  ...extra,
});

describe('a request larger than the queue', () => {
  test.each([
    ['n above the limit', { n: 5 }, 'n'],
    ['prompts × n above the limit', { prompt: ['a', 'b'], n: 3 }, 'n'],
    ['more prompts than the limit', { prompt: ['a', 'b', 'c', 'd', 'e'] }, 'prompt'],
  ])('%s is a 400 naming the field and the limit', async (_, extra, param) => {
    const res = await postJson(completions(), request(extra));
    expect(res.status).toBe(400);
    expect(res.headers.get('retry-after')).toBeNull();
    const { error } = (await res.json()) as { error: { message: string; param: string } };
    expect(error.param).toBe(param);
    expect(error.message).toMatch(/more than the 4 that may wait \(--max-pending-requests\)/);
  });

  test('one that fits exactly is served', async () => {
    const res = await postJson(completions(), request({ prompt: ['a', 'b'], n: 2 }));
    expect(res.status).toBe(200);
    expect(((await res.json()) as { choices: unknown[] }).choices).toHaveLength(4);
  });
});

describe('priority', () => {
  test('a lower priority value waiting behind a higher one is scheduled first', async () => {
    const running = postJson(completions(), request({ max_tokens: 60, ignore_eos: true, priority: -10 }));
    await waitFor(() => server.engine.core.scheduler.numRunning === 1);
    const late = postJson(completions(), request({ priority: 5 }));
    await waitFor(() => server.engine.core.scheduler.numWaiting === 1);
    const urgent = postJson(completions(), request({ priority: -1 }));
    await waitFor(() => server.engine.core.scheduler.numWaiting === 2);
    const ids = [];
    for (const res of await Promise.all([running, late, urgent])) {
      expect(res.status).toBe(200);
      ids.push(((await res.json()) as { id: string }).id);
    }
    const [first, low, high] = ids as [string, string, string];
    expect(scheduled.slice(-3)).toEqual([first, high, low]);
  });
});
