/**
 * Journey tracing through the real server (`@x/openai-server`): chat and
 * completions, streaming and not, client disconnects, rejected requests,
 * preemption and sampling, all over HTTP on loopback.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { API_EVENT, GEN_AI, JOURNEY_EVENT, SPAN } from '../src/index.js';
import { eventAttributes, eventNames, parentId, spanOf } from './support/memory-tracing.js';
import { post, readSse, startTracedServer, waitFor, type TracedServer } from './support/test-server.js';
import { seeded } from './support/fake-loop.js';

const CASES = [
  { endpoint: 'completions', path: '/v1/completions', stream: false, operation: 'text_completion' },
  { endpoint: 'completions', path: '/v1/completions', stream: true, operation: 'text_completion' },
  { endpoint: 'chat.completions', path: '/v1/chat/completions', stream: false, operation: 'chat' },
  { endpoint: 'chat.completions', path: '/v1/chat/completions', stream: true, operation: 'chat' },
] as const;

function bodyFor(path: string, extra: Record<string, unknown>): Record<string, unknown> {
  const input = path.includes('chat')
    ? { messages: [{ role: 'user', content: 'Tell me a story' }] }
    : { prompt: 'Once upon a time' };
  return { model: 'stories260K', temperature: 0, max_tokens: 6, ignore_eos: true, ...input, ...extra };
}

describe('through the server', () => {
  let s: TracedServer;
  beforeAll(async () => {
    s = await startTracedServer();
  });
  afterAll(() => s.close());

  it.each(CASES)('$endpoint (stream $stream): linked spans, every event, request attributes', async (c) => {
    const extra = { stream: c.stream, top_p: 0.8, top_k: 40, seed: 3, presence_penalty: 0.5 };
    const response = await post(s.url + c.path, bodyFor(c.path, extra));
    expect(response.status).toBe(200);
    let id: string;
    if (c.stream) {
      let apiEndedBeforeDone = false;
      const ids = new Set<string>();
      await readSse(response, (data) => {
        if (data === '[DONE]')
          apiEndedBeforeDone = s
            .spans(SPAN.request)
            .some((sp) => ids.has(sp.attributes[GEN_AI.requestId] as string));
        else ids.add((JSON.parse(data) as { id: string }).id);
      });
      expect(apiEndedBeforeDone).toBe(true);
      id = [...ids][0]!;
    } else {
      id = ((await response.json()) as { id: string }).id;
    }
    const api = spanOf(s.spans(SPAN.request), id);
    const core = spanOf(s.spans(SPAN.core), id);
    expect(core.spanContext().traceId).toBe(api.spanContext().traceId);
    expect(parentId(core)).toBe(api.spanContext().spanId);
    expect(eventNames(api)).toEqual([
      API_EVENT.ARRIVED,
      API_EVENT.HANDOFF,
      API_EVENT.FIRST_RESPONSE,
      API_EVENT.DEPARTED,
    ]);
    expect(eventNames(core)).toEqual([
      JOURNEY_EVENT.QUEUED,
      JOURNEY_EVENT.SCHEDULED,
      JOURNEY_EVENT.FIRST_TOKEN,
      JOURNEY_EVENT.FINISHED,
    ]);
    // Both layers stamp sub-ms times on one clock, so the server's order holds across the spans.
    const at = (span: typeof api, name: string) => {
      const [s, ns] = span.events.find((e) => e.name === name)!.time;
      return s * 1e9 + ns;
    };
    expect(at(api, API_EVENT.HANDOFF)).toBeLessThanOrEqual(at(core, JOURNEY_EVENT.QUEUED));
    expect(at(core, JOURNEY_EVENT.FIRST_TOKEN)).toBeLessThanOrEqual(at(api, API_EVENT.FIRST_RESPONSE));
    expect(at(core, JOURNEY_EVENT.FINISHED)).toBeLessThanOrEqual(at(api, API_EVENT.DEPARTED));
    expect(api.events.every((e) => e.time[1] % 1e6 !== 0)).toBe(true); // not whole milliseconds
    expect(api.attributes).toMatchObject({
      [GEN_AI.operationName]: c.operation,
      [GEN_AI.requestModel]: 'stories260K',
      [GEN_AI.maxTokens]: 6,
      [GEN_AI.temperature]: 0,
      [GEN_AI.topP]: 0.8,
      [GEN_AI.topK]: 40,
      [GEN_AI.seed]: 3,
      [GEN_AI.presencePenalty]: 0.5,
      [GEN_AI.choiceCount]: 1,
      [GEN_AI.stream]: c.stream,
      [GEN_AI.outputTokens]: 6,
      [GEN_AI.finishReasons]: ['length'],
    });
    expect(api.attributes[GEN_AI.inputTokens]).toBe(core.attributes[GEN_AI.inputTokens]);
    expect(s.tracing.pendingRequests).toBe(0);
  });

  it('joins a client trace', async () => {
    const traceId = '11112222333344445555666677778888';
    const response = await post(s.url + '/v1/completions', bodyFor('/v1/completions', {}), {
      traceparent: `00-${traceId}-aaaabbbbccccdddd-01`,
    });
    const { id } = (await response.json()) as { id: string };
    const api = spanOf(s.spans(SPAN.request), id);
    expect(api.spanContext().traceId).toBe(traceId);
    expect(parentId(api)).toBe('aaaabbbbccccdddd');
    expect(spanOf(s.spans(SPAN.core), id).spanContext().traceId).toBe(traceId);
  });

  it('ends both spans when the client disconnects mid-stream', async () => {
    const controller = new AbortController();
    const response = await post(
      s.url + '/v1/completions',
      bodyFor('/v1/completions', { stream: true, max_tokens: 200 }),
      {},
      controller.signal,
    );
    let id = '';
    await readSse(response, (data) => {
      id = (JSON.parse(data) as { id: string }).id;
      controller.abort();
    }).catch(() => {});
    await waitFor(() => s.spans(SPAN.core).some((sp) => sp.attributes[GEN_AI.requestId] === id));
    await waitFor(() => s.tracing.pendingRequests === 0);
    const api = spanOf(s.spans(SPAN.request), id);
    expect(eventNames(api).at(-1)).toBe(API_EVENT.ABORTED);
    expect(eventNames(api)).not.toContain(API_EVENT.DEPARTED);
    expect(api.status.code).toBe(2);
    const core = spanOf(s.spans(SPAN.core), id);
    expect(eventAttributes(core, JOURNEY_EVENT.FINISHED)[0]).toMatchObject({ finish_status: 'aborted' });
  });

  it('ends the API span of a rejected request with api.ABORTED and the error', async () => {
    const before = s.spans(SPAN.request).length;
    const response = await post(s.url + '/v1/completions', {
      model: 'stories260K',
      prompt: 'x',
      max_tokens: -1,
    });
    expect(response.status).toBe(400);
    const api = s.spans(SPAN.request).slice(before);
    expect(api).toHaveLength(1);
    expect(eventNames(api[0]!)).toEqual([API_EVENT.ARRIVED, API_EVENT.ABORTED]);
    expect(String(eventAttributes(api[0]!, API_EVENT.ABORTED)[0]!.reason)).toMatch(/max_tokens/);
    expect(eventAttributes(api[0]!, API_EVENT.ABORTED)[0]!['http.response.status_code']).toBe(400);
    expect(s.tracing.pendingRequests).toBe(0);
  });
});

describe('through the server, under pressure', () => {
  it('records preemptions with a tiny KV pool, and every journey completes', async () => {
    const s = await startTracedServer(
      {},
      { kvCache: { numBlocks: 12 }, maxModelLen: 192, enablePrefixCaching: false },
    );
    try {
      const prompts = Array.from(
        { length: 6 },
        (_, i) => `Once upon a time there was a little ${'cat dog bird fish frog bear'.split(' ')[i]}`,
      );
      const responses = await Promise.all(
        prompts.map((prompt) =>
          post(s.url + '/v1/completions', {
            model: 'stories260K',
            prompt,
            max_tokens: 60,
            ignore_eos: true,
            temperature: 0,
          }),
        ),
      );
      expect(responses.every((r) => r.status === 200)).toBe(true);
      await Promise.all(responses.map((r) => r.json()));
      const cores = s.spans(SPAN.core);
      expect(cores).toHaveLength(6);
      expect(cores.some((c) => eventNames(c).includes(JOURNEY_EVENT.PREEMPTED))).toBe(true);
      expect(s.spans(SPAN.request)).toHaveLength(6);
      expect(s.tracing.pendingRequests).toBe(0);
    } finally {
      await s.close();
    }
  });

  it('samples at 0.5: each request has both spans or neither', async () => {
    const s = await startTracedServer({ sampleRate: 0.5, random: seeded(4) });
    try {
      const ids: string[] = [];
      for (let i = 0; i < 40; i++) {
        const response = await post(s.url + '/v1/completions', {
          model: 'stories260K',
          prompt: 'Hi',
          max_tokens: 1,
        });
        ids.push(((await response.json()) as { id: string }).id);
      }
      const apiIds = new Set(s.spans(SPAN.request).map((sp) => sp.attributes[GEN_AI.requestId]));
      const coreIds = new Set(s.spans(SPAN.core).map((sp) => sp.attributes[GEN_AI.requestId]));
      expect(coreIds).toEqual(apiIds);
      expect(apiIds.size).toBeGreaterThan(8);
      expect(apiIds.size).toBeLessThan(32);
    } finally {
      await s.close();
    }
  });
});
