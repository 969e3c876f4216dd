/**
 * Request fields that behave as in vLLM (and OpenAI), over HTTP with the official `openai`
 * client: stop token ids, the completions default length, chat template controls, chat `echo`,
 * stream `stop_reason`, `logprobs: 0`, `best_of`, and bodies that are not UTF-8. stories260K has no
 * chat template, so chats render with the ChatML fallback.
 */
import { describe, expect, test } from '@jest/globals';
import OpenAI from 'openai';
import { goldenRuns, MODEL, postJson, serveWithClient } from './fixtures.js';

const served = serveWithClient();

/** A greedy one-token chat body with vLLM's extra fields, sent as they are. */
const chatBody = (body: Record<string, unknown>) => ({
  model: MODEL,
  temperature: 0,
  max_tokens: 1,
  ...body,
});

/** A chat completion of {@link chatBody}. */
const chat = (body: Record<string, unknown>) =>
  served.client.chat.completions.create(
    chatBody(body) as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming,
  );

/** The refusal of `request`: its status and `param`. */
async function refusal(request: Promise<unknown>): Promise<{ status: number; param: unknown }> {
  const error = (await request.then(
    () => undefined,
    (e: unknown) => e,
  )) as InstanceType<typeof OpenAI.APIError>;
  expect(error).toBeInstanceOf(OpenAI.APIError);
  return { status: error.status!, param: (error.error as { param?: unknown }).param };
}

/** How many tokens `text` (with special tokens, as a rendered chat) is as a prompt. */
const promptTokens = async (text: string) => (await served.server.engine.encodePrompt(text, true)).length;

const user = (content: string) => ({ role: 'user', content });
const assistant = (content: string) => ({ role: 'assistant', content });

test('a stop token id ends the text without its own text, unless include_stop_str_in_output', async () => {
  const [run] = goldenRuns();
  const ids = run!.generated_token_ids;
  // The first generated token not seen before it: stopping on it ends the text just before it.
  const at = ids.findIndex((id, i) => i > 0 && !ids.slice(0, i).includes(id));
  const base = { model: MODEL, prompt: run!.prompt, temperature: 0, ignore_eos: true };
  const before = await served.client.completions.create({ ...base, max_tokens: at } as never);
  const stopped = await served.client.completions.create({
    ...base,
    max_tokens: 64,
    stop_token_ids: [ids[at]],
  } as never);
  const choice = stopped.choices[0] as OpenAI.CompletionChoice & { stop_reason: unknown };
  expect(choice.text).toBe(before.choices[0]!.text);
  expect(choice.finish_reason).toBe('stop');
  expect(choice.stop_reason).toBe(ids[at]);
  expect(stopped.usage!.completion_tokens).toBe(at + 1);
  const kept = await served.client.completions.create({
    ...base,
    max_tokens: 64,
    stop_token_ids: [ids[at]],
    include_stop_str_in_output: true,
  } as never);
  expect(kept.choices[0]!.text.startsWith(choice.text)).toBe(true);
  expect(kept.choices[0]!.text.length).toBeGreaterThan(choice.text.length);
});

test('completions without max_tokens generate 16 tokens', async () => {
  const res = await served.client.completions.create({
    model: MODEL,
    prompt: 'Once',
    ignore_eos: true,
  } as never);
  expect(res.usage!.completion_tokens).toBe(16);
});

test('a body that is not valid UTF-8 gets 400', async () => {
  const json = Buffer.from(JSON.stringify({ model: MODEL, prompt: 'Once X', max_tokens: 1 }));
  json[json.indexOf('X')] = 0xff;
  const res = await fetch(`${served.server.url}/v1/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: json,
  });
  expect(res.status).toBe(400);
  expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/UTF-8/);
});

test('streamed chat chunks carry stop_reason: the stop string on the last one', async () => {
  const messages = [user('Lily')];
  const reply = (await chat({ messages, max_tokens: 8 })).choices[0]!.message.content!;
  const stop = reply.trim().slice(0, 3);
  const stream = await served.client.chat.completions.create(
    chatBody({
      messages,
      max_tokens: 8,
      stop,
      stream: true,
    }) as unknown as OpenAI.ChatCompletionCreateParamsStreaming,
  );
  const chunks: { finish_reason: unknown; stop_reason?: unknown }[] = [];
  for await (const chunk of stream) chunks.push(...(chunk.choices as never[]));
  expect(chunks.at(-1)).toMatchObject({ finish_reason: 'stop', stop_reason: stop });
  expect(chunks[0]).toHaveProperty('stop_reason', null);
});

test('logprobs: 0 lists the sampled token alone in top_logprobs', async () => {
  const res = await served.client.completions.create({
    model: MODEL,
    prompt: 'Once',
    max_tokens: 3,
    logprobs: 0,
  });
  const { tokens, token_logprobs, top_logprobs } = res.choices[0]!.logprobs!;
  expect(top_logprobs).toEqual(tokens!.map((token, i) => ({ [token]: token_logprobs![i] })));
});

test('best_of other than 1 is refused with 400 naming it', async () => {
  const best = (best_of: number) =>
    served.client.completions.create({ model: MODEL, prompt: 'Once', max_tokens: 1, best_of });
  expect(await refusal(best(2))).toEqual({ status: 400, param: 'best_of' });
  expect((await best(1)).choices).toHaveLength(1);
});

describe('chat template controls', () => {
  const turn = (role: string, content: string) => `<|im_start|>${role}\n${content}<|im_end|>\n`;

  test('add_generation_prompt: false ends the prompt after the last message', async () => {
    const res = await chat({ messages: [user('Lily')], add_generation_prompt: false });
    expect(res.usage!.prompt_tokens).toBe(await promptTokens(turn('user', 'Lily')));
    // As vLLM, the reply then has the last message's role.
    expect(res.choices[0]!.message.role).toBe('user');
  });

  test('continue_final_message renders the assistant message without its end of turn', async () => {
    const messages = [user('Lily'), assistant('Once upon')];
    const res = await chat({ messages, continue_final_message: true, add_generation_prompt: false });
    const expected = `${turn('user', 'Lily')}<|im_start|>assistant\nOnce upon`;
    expect(res.usage!.prompt_tokens).toBe(await promptTokens(expected));
    expect(res.choices[0]!.message.role).toBe('assistant');
    const both = chat({ messages, continue_final_message: true, add_generation_prompt: true });
    expect(await refusal(both)).toEqual({ status: 400, param: 'continue_final_message' });
    const fromUser = chat({ messages: [user('Lily')], continue_final_message: true });
    expect(await refusal(fromUser)).toEqual({ status: 400, param: 'messages' });
  });

  test('a per-request chat_template renders with chat_template_kwargs', async () => {
    const chat_template = '{{ opening }}{% for m in messages %}{{ m.content }}{% endfor %}';
    const res = await chat({
      messages: [user('Lily')],
      chat_template,
      chat_template_kwargs: { opening: 'Once upon a time, ' },
    });
    expect(res.usage!.prompt_tokens).toBe(await promptTokens('Once upon a time, Lily'));
    const broken = chat({ messages: [user('Lily')], chat_template: '{% for %}' });
    expect(await refusal(broken)).toEqual({ status: 400, param: 'chat_template' });
  });

  test('echo starts the reply with the continued assistant message, streamed or not', async () => {
    const body = {
      messages: [user('Lily'), assistant('Once upon a time')],
      continue_final_message: true,
      max_tokens: 4,
    };
    const plain = (await chat(body)).choices[0]!.message.content!;
    const echoed = (await chat({ ...body, echo: true })).choices[0]!.message.content;
    expect(echoed).toBe(`Once upon a time${plain}`);
    const stream = await served.client.chat.completions.create(
      chatBody({
        ...body,
        echo: true,
        stream: true,
      }) as unknown as OpenAI.ChatCompletionCreateParamsStreaming,
    );
    let streamed = '';
    for await (const chunk of stream) streamed += chunk.choices[0]?.delta.content ?? '';
    expect(streamed).toBe(echoed);
    // A reply to a user message has another role: nothing is echoed.
    const toUser = { messages: [user('Lily')], max_tokens: 4 };
    const reply = (await chat(toUser)).choices[0]!.message.content;
    expect((await chat({ ...toUser, echo: true })).choices[0]!.message.content).toBe(reply);
  });

  test('/tokenize honours continue_final_message', async () => {
    const res = await postJson(`${served.server.url}/tokenize`, {
      messages: [user('Lily'), assistant('Once upon')],
      continue_final_message: true,
    });
    const { count } = (await res.json()) as { count: number };
    expect(count).toBe(await promptTokens(`${turn('user', 'Lily')}<|im_start|>assistant\nOnce upon`));
  });
});
