/**
 * The official `openai` client against a real server on stories260K:
 * completions and chat, streamed and not, n > 1, logprobs, stop strings,
 * seeds, and greedy outputs equal to llama2.c's run.c.
 */
import { describe, expect, test } from '@jest/globals';
import type OpenAI from 'openai';
import { goldenRuns, MODEL, serveWithClient } from './fixtures.js';

const served = serveWithClient();

describe('completions', () => {
  test.each(goldenRuns().map((run) => [run.prompt, run] as const))(
    'greedy "%s" matches run.c over HTTP',
    async (_, run) => {
      const res = await served.client.completions.create({
        model: MODEL,
        prompt: run.prompt,
        temperature: 0,
        max_tokens: run.generated_token_ids.length,
        // @ts-expect-error vLLM's extra parameter, sent as-is
        ignore_eos: true,
      });
      expect(res.object).toBe('text_completion');
      expect(res.id).toMatch(/^cmpl-/);
      expect(res.model).toBe(MODEL);
      expect(res.choices).toHaveLength(1);
      expect(res.choices[0]!.text).toBe(run.generated_text);
      expect(res.choices[0]!.finish_reason).toBe('length');
      expect(res.usage).toEqual({
        prompt_tokens: run.prompt_token_ids.length,
        completion_tokens: run.generated_token_ids.length,
        total_tokens: run.prompt_token_ids.length + run.generated_token_ids.length,
      });
    },
  );

  test('streamed text equals the non-streamed text, with usage last', async () => {
    const params = { model: MODEL, prompt: 'Lily wanted', temperature: 0, max_tokens: 24 };
    const whole = await served.client.completions.create(params);
    const stream = await served.client.completions.create({
      ...params,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    const finishes: (string | null)[] = [];
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      for (const choice of chunk.choices) {
        text += choice.text;
        finishes.push(choice.finish_reason);
      }
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe(whole.choices[0]!.text);
    expect(finishes.at(-1)).toBe('length');
    expect(finishes.slice(0, -1).every((f) => f === null)).toBe(true);
    expect(usage).toEqual(whole.usage);
  });

  test('a batch of prompts with n = 2 gives prompt × n choices in order', async () => {
    const res = await served.client.completions.create({
      model: MODEL,
      prompt: ['Once upon a time', 'The dog'],
      n: 2,
      temperature: 0,
      max_tokens: 8,
    });
    expect(res.choices.map((c) => c.index)).toEqual([0, 1, 2, 3]);
    expect(res.choices[0]!.text).toBe(res.choices[1]!.text);
    expect(res.choices[2]!.text).toBe(res.choices[3]!.text);
    expect(res.choices[0]!.text).not.toBe(res.choices[2]!.text);
    expect(res.usage?.completion_tokens).toBe(32);
  });

  test('token-id prompts and echo', async () => {
    const [run] = goldenRuns();
    const res = await served.client.completions.create({
      model: MODEL,
      prompt: run!.prompt_token_ids,
      temperature: 0,
      max_tokens: 6,
      echo: true,
    });
    expect(res.choices[0]!.text.startsWith(run!.prompt)).toBe(true);
    expect(res.choices[0]!.text.slice(run!.prompt.length)).toBe(
      run!.generated_text.slice(0, res.choices[0]!.text.length - run!.prompt.length),
    );
  });

  test('logprobs: one entry per token, top alternatives, offsets into the text', async () => {
    const res = await served.client.completions.create({
      model: MODEL,
      prompt: 'The dog',
      temperature: 0,
      max_tokens: 10,
      logprobs: 3,
    });
    const { text, logprobs } = res.choices[0]!;
    expect(logprobs?.tokens).toHaveLength(10);
    expect(logprobs!.tokens!.join('')).toBe(text);
    expect(logprobs!.text_offset![3]).toBe(logprobs!.tokens!.slice(0, 3).join('').length);
    for (const [i, top] of logprobs!.top_logprobs!.entries()) {
      expect(Object.keys(top)).toHaveLength(3);
      // Greedy: the sampled token is the most likely one.
      expect(Math.max(...Object.values(top))).toBeCloseTo(logprobs!.token_logprobs![i]!, 5);
    }
  });

  test('a stop string ends the text before it', async () => {
    const res = await served.client.completions.create({
      model: MODEL,
      prompt: 'Once upon a time',
      temperature: 0,
      max_tokens: 40,
      stop: ['Lily'],
    });
    expect(res.choices[0]!.text).toBe(', there was a little girl named ');
    expect(res.choices[0]!.finish_reason).toBe('stop');
  });

  test('a seed reproduces a sampled completion', async () => {
    const params = {
      model: MODEL,
      prompt: 'Lily wanted',
      temperature: 1,
      top_p: 0.9,
      max_tokens: 24,
      seed: 1234,
    };
    const [a, b, other] = await Promise.all([
      served.client.completions.create(params),
      served.client.completions.create(params),
      served.client.completions.create({ ...params, seed: 99 }),
    ]);
    expect(a.choices[0]!.text).toBe(b.choices[0]!.text);
    expect(other.choices[0]!.text).not.toBe(a.choices[0]!.text);
  });
});

describe('chat completions', () => {
  const messages: OpenAI.ChatCompletionMessageParam[] = [
    { role: 'system', content: 'You tell stories.' },
    { role: 'user', content: 'Tell me about a dog.' },
  ];

  test('a chat completion', async () => {
    const res = await served.client.chat.completions.create({
      model: MODEL,
      messages,
      temperature: 0,
      max_completion_tokens: 16,
    });
    expect(res.object).toBe('chat.completion');
    expect(res.id).toMatch(/^chatcmpl-/);
    expect(res.choices[0]!.message.role).toBe('assistant');
    expect(res.choices[0]!.message.content!.length).toBeGreaterThan(0);
    expect(res.choices[0]!.finish_reason).toBe('length');
    expect(res.usage?.completion_tokens).toBe(16);
    // The prompt is the rendered chat template, tokenized with its special tokens.
    const tokenized = await fetch(`${served.server.url}/tokenize`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: MODEL, messages }),
    }).then((r) => r.json() as Promise<{ count: number }>);
    expect(res.usage?.prompt_tokens).toBe(tokenized.count);
  });

  test('streamed deltas: role first, then content, then the finish reason', async () => {
    const whole = await served.client.chat.completions.create({
      model: MODEL,
      messages,
      temperature: 0,
      max_tokens: 20,
    });
    const stream = await served.client.chat.completions.create({
      model: MODEL,
      messages,
      temperature: 0,
      max_tokens: 20,
      stream: true,
    });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks[0]!.choices[0]!.delta.role).toBe('assistant');
    expect(chunks.slice(1).every((c) => c.choices[0]!.delta.role === undefined)).toBe(true);
    expect(chunks.map((c) => c.choices[0]!.delta.content ?? '').join('')).toBe(
      whole.choices[0]!.message.content,
    );
    expect(chunks.at(-1)!.choices[0]!.finish_reason).toBe('length');
    expect(chunks.every((c) => c.object === 'chat.completion.chunk' && c.id === chunks[0]!.id)).toBe(true);
  });

  test('n = 3 sampled choices, streamed, each complete', async () => {
    const stream = await served.client.chat.completions.create({
      model: MODEL,
      messages,
      n: 3,
      seed: 7,
      max_tokens: 12,
      stream: true,
    });
    const text = ['', '', ''];
    const finish: (string | null)[] = [null, null, null];
    for await (const chunk of stream) {
      for (const c of chunk.choices) {
        text[c.index] += c.delta.content ?? '';
        if (c.finish_reason) finish[c.index] = c.finish_reason;
      }
    }
    expect(finish).toEqual(['length', 'length', 'length']);
    expect(new Set(text).size).toBeGreaterThan(1);
  });

  test('logprobs with top_logprobs', async () => {
    const res = await served.client.chat.completions.create({
      model: MODEL,
      messages,
      temperature: 0,
      max_tokens: 8,
      logprobs: true,
      top_logprobs: 2,
    });
    const content = res.choices[0]!.logprobs!.content!;
    expect(content).toHaveLength(8);
    expect(content.map((t) => t.token).join('')).toBe(res.choices[0]!.message.content);
    for (const t of content) {
      expect(t.top_logprobs).toHaveLength(2);
      expect(t.top_logprobs[0]!.logprob).toBeCloseTo(t.logprob, 5);
      expect(Buffer.from(t.bytes!).toString()).toBe(t.token);
    }
  });

  test('stop strings and max_tokens in a stream', async () => {
    const stream = await served.client.chat.completions.create({
      model: MODEL,
      messages,
      temperature: 0,
      max_tokens: 60,
      stop: '.',
      stream: true,
    });
    let text = '';
    let finish: string | null = null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(text).not.toContain('.');
    expect(finish).toBe('stop');
  });

  test('models list', async () => {
    const models = await served.client.models.list();
    expect(models.data.map((m) => m.id)).toEqual([MODEL]);
    expect(models.data[0]!.object).toBe('model');
  });
});
