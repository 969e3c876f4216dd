/** Penalties and logit bias over HTTP with the official `openai` client. */
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import OpenAI from 'openai';
import { MODEL, startTestServer, type TestServer } from './fixtures.js';

let server: TestServer;
let client: OpenAI;
beforeAll(async () => {
  server = await startTestServer();
  client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'unused', maxRetries: 0 });
});
afterAll(() => server.close());

test('logit_bias +100 makes every token the biased one', async () => {
  const [, lily] = server.engine.tokenizer.encode('Lily');
  const res = await client.completions.create({
    model: MODEL,
    prompt: 'Once upon a time',
    temperature: 0,
    max_tokens: 3,
    logit_bias: { [String(lily)]: 100 },
  });
  expect(res.choices[0]!.text.split('Lily')).toHaveLength(4);
  expect(res.usage!.completion_tokens).toBe(3);
});

test('presence, frequency and repetition penalties change a greedy chat reply, streamed or not', async () => {
  const base = {
    model: MODEL,
    messages: [{ role: 'user' as const, content: 'Lily' }],
    temperature: 0,
    max_tokens: 40,
  };
  const plain = (await client.chat.completions.create(base)).choices[0]!.message.content;
  const penalized = { ...base, presence_penalty: 1.5, frequency_penalty: 1 };
  const once = (await client.chat.completions.create(penalized)).choices[0]!.message.content;
  expect(once).not.toBe(plain);
  let streamed = '';
  for await (const chunk of await client.chat.completions.create({ ...penalized, stream: true }))
    streamed += chunk.choices[0]?.delta.content ?? '';
  expect(streamed).toBe(once);
  const repeated = await client.chat.completions.create({
    ...base,
    // @ts-expect-error vLLM's extra parameter, sent as-is
    repetition_penalty: 1.5,
  });
  expect(repeated.choices[0]!.message.content).not.toBe(plain);
});
