/**
 * Server hooks: per-request event order, exactly one terminal event, streams
 * departing before `[DONE]`, aborts on errors and disconnects, trace headers
 * reaching scheduler plugins, and isolation of plugins that throw.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import type { RequestView } from '@x/scheduler';
import { pino } from 'pino';
import type { ServerPlugin, ServerRequestInfo } from '../src/index.js';
import { MODEL, postJson, sseEvents, startTestServer, waitFor, type TestServer } from './fixtures.js';

interface Recorded {
  info: ServerRequestInfo;
  events: string[];
  details: unknown[];
}

/** Records every hook call, per request id. */
function recorder(): ServerPlugin & { requests: Map<string, Recorded> } {
  const requests = new Map<string, Recorded>();
  const push = (info: ServerRequestInfo, event: string, detail?: unknown) => {
    const r = requests.get(info.requestId)!;
    r.events.push(event);
    r.details.push(detail);
  };
  return {
    name: 'recorder',
    requests,
    onArrived(info, trace) {
      requests.set(info.requestId, { info, events: [], details: [] });
      push(info, 'arrived');
      trace.set('X-Journey-Sampled', '1');
    },
    onHandoff: (info, params) => push(info, 'handoff', params),
    onFirstResponse: (info) => push(info, 'first'),
    onDeparted: (info, result) => push(info, 'departed', result),
    onAborted: (info, reason, status) => push(info, 'aborted', { reason, status }),
  };
}

const logLines: string[] = [];
let server: TestServer;
let plugin: ReturnType<typeof recorder>;
const queuedTraceHeaders = new Map<string, RequestView['traceHeaders']>();

beforeAll(async () => {
  const logger = pino({ level: 'warn' }, { write: (line: string) => void logLines.push(line) });
  server = await startTestServer({ logger });
  server.engine.use({
    onQueued: (request) => void queuedTraceHeaders.set(request.requestId, request.traceHeaders),
  });
});
afterAll(() => server.close());
let unsubscribe: () => void;
beforeEach(() => {
  plugin = recorder();
  unsubscribe = server.app.use(plugin);
});
afterEach(() => unsubscribe());

const completions = () => `${server.url}/v1/completions`;
const only = () => {
  expect(plugin.requests.size).toBe(1);
  return [...plugin.requests.values()][0]!;
};
const terminalCount = (r: Recorded) => r.events.filter((e) => e === 'departed' || e === 'aborted').length;

describe('event order', () => {
  test('a completed request: arrived → handoff → first response → departed', async () => {
    const res = await postJson(
      completions(),
      { model: MODEL, prompt: 'The dog', max_tokens: 5, temperature: 0.5, n: 2 },
      {
        headers: { 'X-Custom': 'yes' },
      },
    );
    const body = (await res.json()) as { id: string };
    const r = only();
    expect(r.events).toEqual(['arrived', 'handoff', 'first', 'departed']);
    expect(r.info).toMatchObject({ requestId: body.id, endpoint: 'completions' });
    expect(r.info.headers['x-custom']).toBe('yes');
    expect(Math.abs(r.info.arrivalMonotonicNs - performance.now() * 1e6)).toBeLessThan(60e9);
    expect(Math.abs(r.info.arrivalEpochMs - Date.now())).toBeLessThan(60e3);
    expect(r.details[1]).toEqual({
      model: MODEL,
      promptTokens: 4,
      maxTokens: 5,
      temperature: 0.5,
      topP: undefined,
      n: 2,
      stream: false,
    });
    expect(r.details[3]).toEqual({ completionTokens: 10, finishReasons: ['length', 'length'] });
  });

  test('a stream departs before [DONE] is written', async () => {
    const res = await postJson(`${server.url}/v1/chat/completions`, {
      model: MODEL,
      messages: [{ role: 'user', content: 'Hi' }],
      max_tokens: 6,
      stream: true,
    });
    const seenAtDone: string[][] = [];
    for await (const event of sseEvents(res)) if (event === '[DONE]') seenAtDone.push([...only().events]);
    expect(seenAtDone).toEqual([['arrived', 'handoff', 'first', 'departed']]);
    expect(only().info.endpoint).toBe('chat.completions');
  });

  test('a request refused by validation: arrived → aborted with the error message and status 400', async () => {
    const res = await postJson(completions(), { model: MODEL, prompt: 'x', temperature: -2 });
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: { message: string } };
    expect(only().events).toEqual(['arrived', 'aborted']);
    expect(only().details[1]).toEqual({ reason: error.message, status: 400 });
  });

  test('an unknown model and malformed JSON end as aborted too', async () => {
    await postJson(completions(), { model: 'nope', prompt: 'x' });
    await fetch(completions(), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{',
    });
    for (const r of plugin.requests.values()) expect(r.events).toEqual(['arrived', 'aborted']);
    expect(plugin.requests.size).toBe(2);
  });

  test('a client that disconnects mid-stream: aborted, once', async () => {
    const controller = new AbortController();
    const res = await postJson(
      completions(),
      { model: MODEL, prompt: 'The dog', max_tokens: 400, ignore_eos: true, stream: true },
      { signal: controller.signal },
    );
    const events = sseEvents(res);
    await events.next();
    await events.next();
    controller.abort();
    await events.return(undefined).catch(() => {});
    await waitFor(() => terminalCount(only()) > 0);
    await waitFor(() => !server.engine.core.busy);
    expect(only().events).toEqual(['arrived', 'handoff', 'first', 'aborted']);
    expect(only().details[3]).toEqual({ reason: 'client disconnected', status: 499 });
  });

  test('exactly one terminal event per request, under load', async () => {
    const bodies = Array.from({ length: 12 }, (_, i) => ({
      model: i % 4 === 3 ? 'wrong' : MODEL,
      prompt: 'Lily wanted',
      max_tokens: 4 + i,
      stream: i % 2 === 0,
    }));
    await Promise.all(bodies.map(async (b) => (await postJson(completions(), b)).text()));
    expect(plugin.requests.size).toBe(12);
    for (const r of plugin.requests.values()) {
      expect(terminalCount(r)).toBe(1);
      expect(r.events.at(-1)).toMatch(/^(departed|aborted)$/);
      expect(r.events[0]).toBe('arrived');
    }
  });
});

describe('trace headers', () => {
  test("the client's traceparent and tracestate, plus what onArrived set, reach the scheduler", async () => {
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const res = await postJson(
      completions(),
      { model: MODEL, prompt: 'The dog', max_tokens: 2 },
      {
        headers: { traceparent, tracestate: 'x=1', 'x-other': 'not copied' },
      },
    );
    const { id } = (await res.json()) as { id: string };
    expect(queuedTraceHeaders.get(id)).toEqual({ traceparent, tracestate: 'x=1', 'x-journey-sampled': '1' });
  });

  test('with no plugin and no trace context the engine gets none', async () => {
    unsubscribe();
    const res = await postJson(completions(), { model: MODEL, prompt: 'The dog', max_tokens: 2 });
    const { id } = (await res.json()) as { id: string };
    expect(queuedTraceHeaders.has(id)).toBe(true);
    expect(queuedTraceHeaders.get(id)).toBeUndefined();
    expect(plugin.requests.size).toBe(0);
  });
});

describe('isolation', () => {
  test('a plugin that throws is logged once and breaks nothing', async () => {
    const boom = () => {
      throw new Error('plugin bug');
    };
    const off = server.app.use({
      name: 'broken',
      onArrived: boom,
      onHandoff: boom,
      onFirstResponse: boom,
      onDeparted: boom,
    });
    try {
      for (let i = 0; i < 2; i++) {
        const res = await postJson(completions(), { model: MODEL, prompt: 'The dog', max_tokens: 3 });
        expect(res.status).toBe(200);
      }
    } finally {
      off();
    }
    const warnings = logLines.filter((l) => l.includes('"plugin":"broken"'));
    expect(warnings).toHaveLength(1);
    // The well-behaved plugin saw everything.
    for (const r of plugin.requests.values())
      expect(r.events).toEqual(['arrived', 'handoff', 'first', 'departed']);
  });
});
