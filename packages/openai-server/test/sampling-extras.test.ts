/**
 * Penalties, logit bias and prompt scoring over HTTP with the official
 * `openai` client. Completions with `echo` and `logprobs` (how evaluation
 * harnesses score text) list the prompt's tokens first, the first with nulls,
 * and their scores equal what the model gives the same tokens when it
 * generates them.
 */
import { expect, test } from '@jest/globals';
import { MODEL, serveWithClient } from './fixtures.js';

const served = serveWithClient();

test('logit_bias +100 makes every token the biased one', async () => {
  const [, lily] = served.server.engine.tokenizer.encode('Lily');
  const res = await served.client.completions.create({
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
  const plain = (await served.client.chat.completions.create(base)).choices[0]!.message.content;
  const penalized = { ...base, presence_penalty: 1.5, frequency_penalty: 1 };
  const once = (await served.client.chat.completions.create(penalized)).choices[0]!.message.content;
  expect(once).not.toBe(plain);
  let streamed = '';
  for await (const chunk of await served.client.chat.completions.create({ ...penalized, stream: true }))
    streamed += chunk.choices[0]?.delta.content ?? '';
  expect(streamed).toBe(once);
  const repeated = await served.client.chat.completions.create({
    ...base,
    // @ts-expect-error vLLM's extra parameter, sent as-is
    repetition_penalty: 1.5,
  });
  expect(repeated.choices[0]!.message.content).not.toBe(plain);
});

interface LegacyLogprobs {
  tokens: string[];
  token_logprobs: (number | null)[];
  top_logprobs: (Record<string, number> | null)[];
  text_offset: number[];
}

test('a continuation scores as it was generated', async () => {
  const context = served.server.engine.tokenizer.encode('Once upon a time');
  const generated = await served.client.completions.create({
    model: MODEL,
    prompt: context,
    temperature: 0,
    max_tokens: 8,
    logprobs: 2,
  });
  const decoded = generated.choices[0]!.logprobs as unknown as LegacyLogprobs;
  const continuation: number[] = [];
  for await (const o of served.server.engine.generate(context, { temperature: 0, maxTokens: 8 }))
    continuation.push(...o.tokenIds);
  expect(continuation).toHaveLength(decoded.tokens.length);
  const scored = await served.client.completions.create({
    model: MODEL,
    prompt: [...context, ...continuation],
    temperature: 0,
    max_tokens: 1,
    logprobs: 2,
    echo: true,
  });
  const choice = scored.choices[0]!;
  const lp = choice.logprobs as unknown as LegacyLogprobs;
  const promptLength = context.length + continuation.length;
  expect(lp.tokens).toHaveLength(promptLength + 1);
  expect([lp.token_logprobs[0], lp.top_logprobs[0]]).toEqual([null, null]);
  expect(lp.token_logprobs.slice(1).every((x) => typeof x === 'number' && x <= 0)).toBe(true);
  // The continuation's scores are its decode-time log-probabilities (another code path: prefill rows).
  const scores = lp.token_logprobs.slice(context.length, promptLength) as number[];
  scores.forEach((x, i) => expect(x).toBeCloseTo(decoded.token_logprobs[i]!, 3));
  expect(Object.keys(lp.top_logprobs[context.length]!)).toEqual(Object.keys(decoded.top_logprobs[0]!));
  // Offsets run over the echoed text, then the generated text after it.
  expect(lp.text_offset.at(-1)).toBe(choice.text.length - lp.tokens.at(-1)!.length);
  expect(lp.text_offset).toEqual([...lp.text_offset].sort((a, b) => a - b));
  // Each token's text stands at its offset (past BOS and the first word, whose leading space the text drops).
  for (let i = 2; i < lp.tokens.length; i++)
    expect(choice.text.startsWith(lp.tokens[i]!, lp.text_offset[i])).toBe(true);
});

test('streamed: the first chunk carries the echoed prompt and its scores', async () => {
  const stream = await served.client.completions.create({
    model: MODEL,
    prompt: 'Lily and Ben',
    temperature: 0,
    max_tokens: 4,
    logprobs: 1,
    echo: true,
    stream: true,
  });
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  const first = chunks[0]!.choices[0]!;
  expect(first.text.startsWith('Lily and Ben')).toBe(true);
  const lp = first.logprobs as unknown as LegacyLogprobs;
  const promptLength = served.server.engine.tokenizer.encode('Lily and Ben').length;
  expect(lp.tokens.length).toBeGreaterThan(promptLength);
  expect(lp.token_logprobs[0]).toBeNull();
  expect(lp.token_logprobs.slice(1, promptLength).every((x) => typeof x === 'number')).toBe(true);
  const later = chunks
    .slice(1)
    .flatMap((c) => (c.choices[0]?.logprobs as LegacyLogprobs | null)?.tokens ?? []);
  expect(lp.tokens.length - promptLength + later.length).toBe(4);
});
