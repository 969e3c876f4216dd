/**
 * Requests refused for a wrong API key never reach the viewer: a flood of
 * them leaves the real journeys in its ring.
 */
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { MODEL, startTracedServer, type TracedServer } from './support/traced-server.js';

const KEY = 'sk-viewer';
let server: TracedServer;
beforeAll(async () => {
  server = await startTracedServer([KEY]);
});
afterAll(() => server.close());

const complete = (key: string) =>
  fetch(`${server.url}/v1/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ model: MODEL, prompt: 'Hello', max_tokens: 2 }),
  });

test('wrong-key requests leave no journey', async () => {
  const served = await complete(KEY);
  expect(served.status).toBe(200);
  const { id } = (await served.json()) as { id: string };
  for (let i = 0; i < 50; i++) expect((await complete('sk-wrong')).status).toBe(401);
  expect(server.viewer.snapshot().journeys.map((j) => j.id)).toEqual([id]);
});
