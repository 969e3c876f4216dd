/**
 * Malformed and refused requests: each gets the right status and an
 * OpenAI-shaped error, and the server keeps serving after all of them.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { MODEL, postJson, sseEvents, startTestServer, type TestServer } from './fixtures.js';

const KEY = 'sk-test-key';
const AUTH = { authorization: `Bearer ${KEY}` };
const MAX_BODY = 64 * 1024;

/** One bad request: where, what, and the status and `param` expected. */
interface Case {
  name: string;
  path?: string;
  method?: string;
  body?: unknown;
  raw?: string;
  headers?: Record<string, string>;
  status: number;
  param?: string | null;
}

const completion = (extra: Record<string, unknown>) => ({
  model: MODEL,
  prompt: 'Once upon a time',
  max_tokens: 4,
  ...extra,
});
const chat = (extra: Record<string, unknown>) => ({
  model: MODEL,
  messages: [{ role: 'user', content: 'Hi' }],
  max_tokens: 4,
  ...extra,
});
const CHAT = '/v1/chat/completions';

const CASES: Case[] = [
  { name: 'malformed JSON', raw: '{"model": "x", "prompt":', status: 400, param: null },
  { name: 'empty body', raw: '', status: 400, param: null },
  { name: 'a JSON array as body', body: [], status: 400, param: null },
  {
    name: 'wrong content type',
    raw: JSON.stringify(completion({})),
    headers: { 'content-type': 'text/plain' },
    status: 400,
  },
  {
    name: 'form content type',
    raw: 'prompt=hi',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    status: 400,
  },
  { name: 'missing prompt', body: { model: MODEL }, status: 400, param: 'prompt' },
  { name: 'prompt of the wrong type', body: completion({ prompt: 42 }), status: 400, param: 'prompt' },
  { name: 'empty prompt list', body: completion({ prompt: [] }), status: 400, param: 'prompt' },
  {
    name: 'token id outside the vocabulary',
    body: completion({ prompt: [1, 99999] }),
    status: 400,
    param: 'prompt',
  },
  {
    name: 'prompt longer than the context',
    body: completion({ prompt: new Array(600).fill(100) }),
    status: 400,
    param: 'input_tokens',
  },
  {
    name: 'max_tokens as a string',
    body: completion({ max_tokens: '10' }),
    status: 400,
    param: 'max_tokens',
  },
  { name: 'negative max_tokens', body: completion({ max_tokens: -1 }), status: 400, param: 'max_tokens' },
  {
    name: 'huge max_tokens',
    body: completion({ max_tokens: 1_000_000_000 }),
    status: 400,
    param: 'input_tokens',
  },
  { name: 'fractional max_tokens', body: completion({ max_tokens: 2.5 }), status: 400, param: 'max_tokens' },
  { name: 'negative temperature', body: completion({ temperature: -1 }), status: 400, param: 'temperature' },
  {
    name: 'temperature as a string',
    body: completion({ temperature: 'hot' }),
    status: 400,
    param: 'temperature',
  },
  { name: 'top_p of 0', body: completion({ top_p: 0 }), status: 400, param: 'top_p' },
  { name: 'fractional top_k', body: completion({ top_k: 1.5 }), status: 400, param: 'top_k' },
  { name: 'huge n', body: completion({ n: 1000 }), status: 400, param: 'n' },
  { name: 'n of 0', body: completion({ n: 0 }), status: 400, param: 'n' },
  { name: 'negative seed', body: completion({ seed: -5 }), status: 400, param: 'seed' },
  { name: 'stop as a number', body: completion({ stop: 5 }), status: 400, param: 'stop' },
  { name: 'empty stop string', body: completion({ stop: [''] }), status: 400, param: 'stop' },
  {
    name: 'stop_token_ids of strings',
    body: completion({ stop_token_ids: ['a'] }),
    status: 400,
    param: 'stop_token_ids[0]',
  },
  {
    name: 'min_tokens above max_tokens',
    body: completion({ min_tokens: 10 }),
    status: 400,
    param: 'min_tokens',
  },
  { name: 'stream as a string', body: completion({ stream: 'yes' }), status: 400, param: 'stream' },
  {
    name: 'stream_options without stream',
    body: completion({ stream_options: { include_usage: true } }),
    status: 400,
    param: 'stream_options',
  },
  {
    name: 'presence_penalty out of range',
    body: completion({ presence_penalty: 2.5 }),
    status: 400,
    param: 'presence_penalty',
  },
  {
    name: 'frequency_penalty out of range',
    body: completion({ frequency_penalty: -3 }),
    status: 400,
    param: 'frequency_penalty',
  },
  {
    name: 'repetition_penalty of 0',
    body: completion({ repetition_penalty: 0 }),
    status: 400,
    param: 'repetition_penalty',
  },
  {
    name: 'logit_bias over 100',
    body: completion({ logit_bias: { '5': 500 } }),
    status: 400,
    param: 'logit_bias',
  },
  {
    name: 'logit_bias on a word',
    body: completion({ logit_bias: { the: 1 } }),
    status: 400,
    param: 'logit_bias',
  },
  {
    name: 'logit_bias outside the vocabulary',
    body: completion({ logit_bias: { '99999': 1 } }),
    status: 400,
    param: 'logit_bias',
  },
  { name: 'too many logprobs', body: completion({ logprobs: 50 }), status: 400, param: 'logprobs' },
  { name: 'negative logprobs', body: completion({ logprobs: -1 }), status: 400, param: 'logprobs' },
  { name: 'suffix', body: completion({ suffix: 'the end' }), status: 400, param: 'suffix' },
  {
    name: 'priority without priority scheduling',
    body: completion({ priority: 3 }),
    status: 400,
    param: 'priority',
  },
  {
    name: 'more prompts than may wait',
    body: completion({ prompt: new Array(1025).fill('a') }),
    status: 400,
    param: 'prompt',
  },
  { name: 'chat: no messages', path: CHAT, body: { model: MODEL }, status: 400, param: 'messages' },
  { name: 'chat: empty messages', path: CHAT, body: chat({ messages: [] }), status: 400, param: 'messages' },
  {
    name: 'chat: message without role',
    path: CHAT,
    body: chat({ messages: [{ content: 'Hi' }] }),
    status: 400,
    param: 'messages[0].role',
  },
  {
    name: 'chat: content of the wrong type',
    path: CHAT,
    body: chat({ messages: [{ role: 'user', content: 7 }] }),
    status: 400,
    param: 'messages[0].content',
  },
  {
    name: 'chat: an image part',
    path: CHAT,
    body: chat({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'x' } }] }] }),
    status: 400,
    param: 'messages',
  },
  {
    name: 'chat: logprobs as a string',
    path: CHAT,
    body: chat({ logprobs: 'true' }),
    status: 400,
    param: 'logprobs',
  },
  {
    name: 'chat: top_logprobs without logprobs',
    path: CHAT,
    body: chat({ top_logprobs: 2 }),
    status: 400,
    param: 'top_logprobs',
  },
  {
    name: 'chat: top_logprobs too large',
    path: CHAT,
    body: chat({ logprobs: true, top_logprobs: 100 }),
    status: 400,
    param: 'top_logprobs',
  },
  {
    name: 'chat: negative max_completion_tokens',
    path: CHAT,
    body: chat({ max_completion_tokens: -3 }),
    status: 400,
    param: 'max_tokens',
  },
  { name: 'unknown model', body: completion({ model: 'gpt-4' }), status: 404, param: null },
  { name: 'chat: unknown model', path: CHAT, body: chat({ model: 'gpt-4' }), status: 404, param: null },
  { name: 'unknown route', path: '/v1/embeddings', body: { input: 'x' }, status: 404 },
  { name: 'wrong method', path: '/v1/completions', method: 'GET', status: 405 },
  { name: 'wrong method on a GET route', path: '/v1/models', method: 'POST', body: {}, status: 405 },
  { name: 'missing API key', body: completion({}), headers: { authorization: '' }, status: 401 },
  { name: 'wrong API key', body: completion({}), headers: { authorization: 'Bearer sk-wrong' }, status: 401 },
  { name: 'not a bearer token', body: completion({}), headers: { authorization: 'Basic abc' }, status: 401 },
  {
    name: 'models without a key',
    path: '/v1/models',
    method: 'GET',
    headers: { authorization: '' },
    status: 401,
  },
  { name: 'oversized body', body: completion({ prompt: 'x'.repeat(MAX_BODY) }), status: 413 },
  { name: 'tokenize: neither prompt nor messages', path: '/tokenize', body: { model: MODEL }, status: 400 },
  {
    name: 'detokenize: id outside the vocabulary',
    path: '/detokenize',
    body: { tokens: [1, 100000] },
    status: 400,
    param: 'tokens',
  },
];

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ apiKeys: [KEY], maxBodyBytes: MAX_BODY });
});
afterAll(() => server.close());

async function send(c: Case): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...AUTH, ...c.headers };
  if (headers.authorization === '') delete headers.authorization;
  const method = c.method ?? 'POST';
  const body = method === 'GET' ? undefined : (c.raw ?? JSON.stringify(c.body));
  return fetch(`${server.url}${c.path ?? '/v1/completions'}`, { method, headers, body });
}

describe('bad requests', () => {
  test(`the table has at least 25 cases (${CASES.length})`, () => {
    expect(CASES.length).toBeGreaterThanOrEqual(25);
  });

  test.each(CASES.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    const res = await send(c);
    expect(res.status).toBe(c.status);
    if (c.status === 405) expect(res.headers.get('allow')).toBe(c.method === 'GET' ? 'POST' : 'GET');
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await res.json()) as {
      error: { message: unknown; type: unknown; param: unknown; code: unknown };
    };
    expect(Object.keys(body)).toEqual(['error']);
    expect(typeof body.error.message).toBe('string');
    expect((body.error.message as string).length).toBeGreaterThan(0);
    expect(typeof body.error.type).toBe('string');
    expect(body.error.code).toBe(c.status);
    if (c.param !== undefined) expect(body.error.param).toBe(c.param);
    else expect(body.error.param === null || typeof body.error.param === 'string').toBe(true);
  });

  test('the server is healthy and serves after all of them', async () => {
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    const res = await postJson(`${server.url}/v1/completions`, completion({}), { headers: AUTH });
    expect(res.status).toBe(200);
    expect(server.engine.core.scheduler.kvCacheUsage().blocksUsed).toBe(0);
  });
});

describe('what is accepted', () => {
  test('unknown fields are ignored and nulls mean unset', async () => {
    const res = await postJson(
      `${server.url}/v1/chat/completions`,
      chat({ temperature: null, tools: null, response_format: { type: 'text' }, some_future_field: [1, 2] }),
      { headers: AUTH },
    );
    expect(res.status).toBe(200);
  });

  test('health, ping, version and metrics stay open without a key', async () => {
    for (const path of ['/health', '/ping', '/version', '/metrics'])
      expect((await fetch(`${server.url}${path}`)).status).toBe(200);
    // SageMaker's health check POSTs, as vLLM serves it.
    const ping = await fetch(`${server.url}/ping`, { method: 'POST' });
    expect([ping.status, await ping.text()]).toEqual([200, '']);
  });
});

describe('an error after the stream started', () => {
  test('becomes an error frame, then [DONE]', async () => {
    const res = await postJson(
      `${server.url}/v1/completions`,
      completion({ max_tokens: 400, ignore_eos: true, stream: true }),
      { headers: AUTH },
    );
    expect(res.status).toBe(200);
    const events: unknown[] = [];
    for await (const event of sseEvents(res)) {
      events.push(event);
      // A fault in the engine, injected once the stream is under way.
      if (events.length === 2)
        server.engine.core.finish((event as { id: string }).id, 'FINISHED_ERROR', 'injected fault');
    }
    expect(events.at(-1)).toBe('[DONE]');
    expect(events.at(-2)).toEqual({
      error: { message: 'injected fault', type: 'InternalServerError', param: null, code: 500 },
    });
    expect(server.engine.core.scheduler.kvCacheUsage().blocksUsed).toBe(0);
  });
});
