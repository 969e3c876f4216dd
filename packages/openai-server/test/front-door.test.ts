/**
 * What a deployment in front of browsers and proxies needs: CORS as vLLM's
 * `--allowed-*` flags set it (preflights answered before the key check),
 * routes under a proxy's `--root-path` as well as without it, request log
 * lines turned off (`--disable-log-requests`), and the engine's
 * `--max-logprobs` cap reported under the request's field, and a server-wide
 * chat template (`--chat-template`) used instead of the model's.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { pino } from 'pino';
import { MODEL, postJson, startTestServer, type TestServer } from './fixtures.js';

const KEY = 'sk-test';
const TEMPLATE =
  '{% for m in messages %}[{{ m.role }}] {{ m.content }}\n{% endfor %}{% if add_generation_prompt %}[assistant]{% endif %}';
const ORIGIN = 'https://chat.example';
const auth = { authorization: `Bearer ${KEY}` };

let server: TestServer;
const logLines: { msg: string; status?: number }[] = [];
beforeAll(async () => {
  const logger = pino({ level: 'info' }, { write: (line: string) => void logLines.push(JSON.parse(line)) });
  server = await startTestServer(
    {
      apiKeys: [KEY],
      logger,
      logRequests: false,
      rootPath: '/llm/',
      chatTemplate: TEMPLATE,
      cors: {
        allowedOrigins: [ORIGIN],
        allowedMethods: ['*'],
        allowedHeaders: ['*'],
        allowCredentials: true,
      },
    },
    { maxLogprobs: 2 },
  );
});
afterAll(() => server.close());

describe('CORS', () => {
  test("a browser's preflight is answered, without a key, for an allowed origin", async () => {
    const res = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'OPTIONS',
      headers: {
        origin: ORIGIN,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(res.headers.get('access-control-allow-methods')).toContain('POST');
    expect(res.headers.get('access-control-allow-headers')).toMatch(/authorization/i);
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
  });

  test('responses carry the header for an allowed origin only', async () => {
    const allowed = await fetch(`${server.url}/v1/models`, { headers: { ...auth, origin: ORIGIN } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    const other = await fetch(`${server.url}/v1/models`, {
      headers: { ...auth, origin: 'https://evil.example' },
    });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('--root-path', () => {
  test.each(['/llm/v1/models', '/v1/models', '/llm/health'])('%s answers', async (path) => {
    const res = await fetch(`${server.url}${path}`, { headers: auth });
    expect(res.status).toBe(200);
  });

  test('a generation under the prefix', async () => {
    const res = await postJson(
      `${server.url}/llm/v1/completions`,
      { model: MODEL, prompt: 'Once', max_tokens: 2 },
      { headers: auth },
    );
    expect(res.status).toBe(200);
  });
});

describe('--disable-log-requests and --max-logprobs', () => {
  test('a generation logs no request line', async () => {
    logLines.length = 0;
    const res = await postJson(
      `${server.url}/v1/completions`,
      { model: MODEL, prompt: 'Once', max_tokens: 2 },
      { headers: auth },
    );
    expect(res.status).toBe(200);
    expect(logLines.filter((l) => l.msg === 'request')).toEqual([]);
  });

  test('logprobs above the cap is a 400 naming the field', async () => {
    const res = await postJson(
      `${server.url}/v1/completions`,
      { model: MODEL, prompt: 'Once', max_tokens: 2, logprobs: 3 },
      { headers: auth },
    );
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: { param: string; message: string } };
    expect(error.param).toBe('logprobs');
    expect(error.message).toMatch(/\[0, 2\]/);
  });
});

describe('--chat-template', () => {
  test("renders chat prompts instead of the model's", async () => {
    const res = await postJson(
      `${server.url}/tokenize`,
      { model: MODEL, messages: [{ role: 'user', content: 'Hello' }] },
      { headers: auth },
    );
    expect(res.status).toBe(200);
    const { tokens } = (await res.json()) as { tokens: number[] };
    const detok = await postJson(`${server.url}/detokenize`, { model: MODEL, tokens }, { headers: auth });
    expect(((await detok.json()) as { prompt: string }).prompt).toContain('[user] Hello\n[assistant]');
  });
});
