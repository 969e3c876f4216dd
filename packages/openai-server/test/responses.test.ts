/**
 * `POST /v1/responses` with the official `openai` client on a real server
 * over stories260K: the same generation as chat completions for the same
 * conversation, streamed as typed events or not, and a 400 naming each
 * field whose feature the server does not have.
 */
import { describe, expect, test } from '@jest/globals';
import OpenAI from 'openai';
import { MODEL, postJson, serveWithClient } from './fixtures.js';

const served = serveWithClient();

/** The chat completion of `messages` with the same settings. */
async function chatReply(messages: OpenAI.ChatCompletionMessageParam[], maxTokens: number) {
  const chat = await served.client.chat.completions.create({
    model: MODEL,
    messages,
    temperature: 0,
    max_tokens: maxTokens,
  });
  return { text: chat.choices[0]!.message.content, usage: chat.usage! };
}

describe('text generation', () => {
  test('a string input is a user message, generated as chat completions generate it', async () => {
    const res = await served.client.responses.create({
      model: MODEL,
      input: 'Once upon a time',
      temperature: 0,
      max_output_tokens: 12,
    });
    const chat = await chatReply([{ role: 'user', content: 'Once upon a time' }], 12);
    expect(res).toMatchObject({
      object: 'response',
      model: MODEL,
      status: 'incomplete',
      incomplete_details: { reason: 'max_output_tokens' },
      max_output_tokens: 12,
      temperature: 0,
      usage: {
        input_tokens: chat.usage.prompt_tokens,
        output_tokens: 12,
        total_tokens: chat.usage.prompt_tokens + 12,
      },
    });
    expect(res.id).toMatch(/^resp_/);
    expect(res.output).toEqual([
      {
        id: res.id.replace('resp_', 'msg_'),
        type: 'message',
        status: 'incomplete',
        role: 'assistant',
        content: [{ type: 'output_text', text: chat.text, annotations: [] }],
      },
    ]);
    expect(res.output_text).toBe(chat.text);
  });

  test('instructions and message items with text parts make the same conversation', async () => {
    const res = await served.client.responses.create({
      model: MODEL,
      instructions: 'Tell a story.',
      input: [
        { role: 'user', content: [{ type: 'input_text', text: 'Lily' }] },
        {
          // An earlier reply, as a response's output item.
          id: 'msg_1',
          type: 'message',
          status: 'completed',
          role: 'assistant',
          content: [{ type: 'output_text', text: 'Lily was', annotations: [] }],
        },
        { role: 'developer', content: 'Be kind.' },
        { role: 'user', content: 'Go on' },
      ],
      temperature: 0,
      max_output_tokens: 8,
      metadata: { run: 'test' },
    });
    const chat = await chatReply(
      [
        { role: 'system', content: 'Tell a story.' },
        { role: 'user', content: [{ type: 'text', text: 'Lily' }] },
        { role: 'assistant', content: [{ type: 'text', text: 'Lily was' }] },
        { role: 'system', content: 'Be kind.' },
        { role: 'user', content: 'Go on' },
      ],
      8,
    );
    expect(res.output_text).toBe(chat.text);
    expect(res.usage?.input_tokens).toBe(chat.usage.prompt_tokens);
    expect([res.instructions, res.metadata]).toEqual(['Tell a story.', { run: 'test' }]);
  });

  test('a reply that ends before max_output_tokens is completed', async () => {
    const res = await served.client.responses.create({
      model: MODEL,
      input: 'Once upon a time',
      temperature: 0,
      max_output_tokens: 40,
      // @ts-expect-error vLLM's extra parameter, sent as-is
      stop: [' '],
    });
    const message = res.output[0] as OpenAI.Responses.ResponseOutputMessage;
    expect([res.status, res.incomplete_details, message.status]).toEqual(['completed', null, 'completed']);
    expect(res.output_text).not.toContain(' ');
  });
});

describe('streaming', () => {
  test('typed events carry the same text, in order, with the response at both ends', async () => {
    const params = { model: MODEL, input: 'Once upon a time', temperature: 0, max_output_tokens: 16 };
    const whole = await served.client.responses.create(params);
    const stream = await served.client.responses.create({ ...params, stream: true });
    const events: OpenAI.Responses.ResponseStreamEvent[] = [];
    for await (const event of stream) events.push(event);
    const types = events.map((e) => e.type);
    expect(types.slice(0, 4)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
    ]);
    expect(types.slice(-4)).toEqual([
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.incomplete',
    ]);
    expect(new Set(types.slice(4, -4))).toEqual(new Set(['response.output_text.delta']));
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    const deltas = events.flatMap((e) => (e.type === 'response.output_text.delta' ? [e.delta] : []));
    expect(deltas.join('')).toBe(whole.output_text);
    const last = events.at(-1) as OpenAI.Responses.ResponseIncompleteEvent;
    expect(last.response.id).toBe(events[0]!.type === 'response.created' && events[0]!.response.id);
    expect(last.response.output).toEqual(whole.output.map((item) => ({ ...item, id: expect.any(String) })));
    expect(last.response.usage).toEqual(whole.usage);
  });

  test('an error after the stream started is an error event, which the client throws', async () => {
    // ignore_eos is vLLM's extra parameter, sent as-is.
    const params = {
      model: MODEL,
      input: 'Lily',
      max_output_tokens: 400,
      stream: true as const,
      ignore_eos: true,
    };
    const stream = await served.client.responses.create(params);
    const seen: string[] = [];
    const read = async () => {
      for await (const event of stream) {
        // A fault in the engine, injected once the text is under way (the engine request has the response's id).
        if (event.type === 'response.output_text.delta' && !seen.includes(event.type)) {
          served.server.engine.core.finish(
            event.item_id.replace('msg_', 'resp_'),
            'FINISHED_ERROR',
            'injected fault',
          );
        }
        seen.push(event.type);
      }
    };
    await expect(read()).rejects.toThrow('injected fault');
    expect(seen).not.toContain('response.incomplete');
  });

  test('names its SSE events', async () => {
    const res = await postJson(`${served.server.url}/v1/responses`, {
      model: MODEL,
      input: 'Lily',
      max_output_tokens: 2,
      stream: true,
    });
    const text = await res.text();
    expect(text).toMatch(/^event: response\.created\ndata: \{"type":"response\.created"/);
    expect(text).not.toContain('[DONE]');
  });
});

describe('what is refused', () => {
  const refused: [string, Record<string, unknown>, string][] = [
    ['tools', { tools: [{ type: 'function', name: 'f', parameters: {} }] }, 'tools'],
    ['tool_choice', { tool_choice: 'required' }, 'tool_choice'],
    ['previous_response_id', { previous_response_id: 'resp_1' }, 'previous_response_id'],
    ['store', { store: true }, 'store'],
    ['background', { background: true }, 'background'],
    ['include', { include: ['message.output_text.logprobs'] }, 'include'],
    ['reasoning', { reasoning: { effort: 'low' } }, 'reasoning'],
    ['text.format', { text: { format: { type: 'json_object' } } }, 'text'],
    ['truncation', { truncation: 'auto' }, 'truncation'],
    ['max_tokens', { max_tokens: 4 }, 'max_tokens'],
    ['n', { n: 2 }, 'n'],
    [
      'an image part',
      { input: [{ role: 'user', content: [{ type: 'input_image', image_url: 'https://x/y.png' }] }] },
      'input[0].content[0]',
    ],
    [
      'a tool output item',
      { input: [{ type: 'function_call_output', call_id: 'c', output: '1' }] },
      'input[0].type',
    ],
    ['an unknown role', { input: [{ role: 'tool', content: 'x' }] }, 'input[0].role'],
    ['an empty input', { input: [] }, 'input'],
    ['no input', { input: undefined }, 'input'],
    ['a max_output_tokens of 0', { max_output_tokens: 0 }, 'max_output_tokens'],
  ];
  test.each(refused)('%s is a 400 naming it', async (_, fields, param) => {
    const res = await postJson(`${served.server.url}/v1/responses`, {
      model: MODEL,
      input: 'Lily',
      ...fields,
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { param: string } }).error.param).toBe(param);
  });

  test('the client gets a BadRequestError for tools', async () => {
    const call = served.client.responses.create({
      model: MODEL,
      input: 'Lily',
      tools: [{ type: 'function', name: 'f', parameters: {}, strict: false }],
    });
    await expect(call).rejects.toBeInstanceOf(OpenAI.BadRequestError);
  });

  test('unset values, store false and unknown fields are accepted', async () => {
    const res = await postJson(`${served.server.url}/v1/responses`, {
      model: MODEL,
      input: 'Lily',
      max_output_tokens: 2,
      tools: [],
      tool_choice: 'auto',
      store: false,
      previous_response_id: null,
      text: { format: { type: 'text' } },
      some_future_field: 1,
    });
    expect(res.status).toBe(200);
    expect(served.server.engine.core.scheduler.numWaiting).toBe(0);
  });
});
