/**
 * API keys: any character a key holds is accepted as given, everything else
 * is a 401; unauthenticated requests reach no server plugin and are logged
 * at most once per interval.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { pino } from 'pino';
import type { ServerPlugin } from '../src/index.js';
import { MODEL, postJson, startTestServer, type TestServer } from './fixtures.js';

const KEYS = ['sk-a!b#c d', 'plain'];
const body = { model: MODEL, prompt: 'Once upon a time', max_tokens: 2 };

let server: TestServer;
const logLines: { status?: number; suppressed?: number }[] = [];
const arrived: string[] = [];
beforeAll(async () => {
  const logger = pino({ level: 'info' }, { write: (line: string) => void logLines.push(JSON.parse(line)) });
  const plugin: ServerPlugin = { onArrived: (info) => void arrived.push(info.requestId) };
  server = await startTestServer({ apiKeys: KEYS, logger, plugins: [plugin] });
});
afterAll(() => server.close());

const complete = (authorization: string) =>
  postJson(`${server.url}/v1/completions`, body, { headers: { authorization } });

describe('API keys', () => {
  test.each(KEYS)('the key %j is accepted', async (key) => {
    expect((await complete(`Bearer ${key}`)).status).toBe(200);
  });

  test.each(['Bearer sk-a!b#c', 'Bearer sk-a!b#c dd', 'Bearer  plain', 'Basic plain', 'plain', 'Bearer '])(
    '%j is refused',
    async (authorization) => {
      const res = await complete(authorization);
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: { type: string } }).error.type).toBe('AuthenticationError');
    },
  );

  test('refused requests reach no plugin and are logged once per interval', async () => {
    const before = { arrived: arrived.length, logged: logLines.length };
    for (let i = 0; i < 30; i++) expect((await complete('Bearer sk-wrong')).status).toBe(401);
    expect(arrived.length).toBe(before.arrived);
    // The refusals of the test above fell in the same interval: not one more line.
    expect(logLines.slice(before.logged).filter((l) => l.status === 401)).toEqual([]);
    expect(logLines.filter((l) => l.status === 401)).toHaveLength(1);
    expect(logLines.find((l) => l.status === 401)?.suppressed).toBe(0);
    expect((await complete('Bearer plain')).status).toBe(200);
    expect(arrived.length).toBe(before.arrived + 1);
  });
});
