/**
 * Journey spans on the real engine (stories260K on WebGPU): the API span from
 * the request hooks, the core span from the scheduler hooks, their linkage,
 * every event's order and attributes, preemption, aborts, disconnects and
 * ignored prompts.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { createEngine, type Engine, type EngineOptions } from '@x/engine';
import { API_EVENT, GEN_AI, JOURNEY_ATTR, JOURNEY_EVENT, SPAN } from '../src/index.js';
import { FakeLoop } from './support/fake-loop.js';
import { serveHooked } from './support/hooked-server.js';
import {
  eventAttributes,
  eventNames,
  memoryTracing,
  parentId,
  spanOf,
  type MemoryTracing,
} from './support/memory-tracing.js';
import { modelPath } from '@x/test-models';

const EVERY_EVENT_ATTR = Object.values(JOURNEY_ATTR).filter(
  (k) =>
    k !== JOURNEY_ATTR.scheduleKind && k !== JOURNEY_ATTR.finishStatus && k !== JOURNEY_ATTR.finishReason,
);

function engineWith(options: Partial<EngineOptions> = {}): Promise<Engine> {
  return createEngine({ model: modelPath('stories260K.gguf'), kvCache: { numBlocks: 256 }, ...options });
}

/** Every journey event carries the common attributes, with sane values. */
function expectWellFormed(core: ReadableSpan): void {
  for (const event of core.events) {
    const a = event.attributes ?? {};
    for (const key of EVERY_EVENT_ATTR) expect(a).toHaveProperty(key);
    expect(event.name).toBe(`journey.${String(a[JOURNEY_ATTR.eventType])}`);
    expect(a[JOURNEY_ATTR.prefillDone]).toBeLessThanOrEqual(a[JOURNEY_ATTR.prefillTotal] as number);
    expect(a[JOURNEY_ATTR.decodeDone]).toBeLessThanOrEqual(a[JOURNEY_ATTR.decodeMax] as number);
  }
  const steps = core.events.map((e) => e.attributes?.[JOURNEY_ATTR.step] as number);
  const mono = core.events.map((e) => e.attributes?.[JOURNEY_ATTR.monotonicNs] as number);
  expect([...steps].sort((a, b) => a - b)).toEqual(steps);
  expect([...mono].sort((a, b) => a - b)).toEqual(mono);
}

describe('journey spans through the request hooks', () => {
  let engine: Engine;
  let t: MemoryTracing;
  beforeAll(async () => {
    engine = await engineWith();
    t = memoryTracing();
    engine.use(t.tracing.schedulerPlugin);
  });
  afterAll(() => engine.shutdown());

  it('makes a parent llm_request and a child llm_core in one trace, with every event in order', async () => {
    const served = await serveHooked(t.tracing.serverPlugin, engine, {
      requestId: 'cmpl-1',
      prompt: 'Once upon a time',
      params: { temperature: 0, maxTokens: 12, ignoreEos: true, topP: 0.9 },
      stream: true,
    });
    expect(served.outcome).toBe('departed');
    expect(served.traceHeaders['x-journey-sampled']).toBe('1');
    const api = spanOf(t.spans(SPAN.request), 'cmpl-1');
    const core = spanOf(t.spans(SPAN.core), 'cmpl-1');
    expect(core.spanContext().traceId).toBe(api.spanContext().traceId);
    expect(parentId(core)).toBe(api.spanContext().spanId);
    expect(parentId(api)).toBe('');
    expect(api.instrumentationScope.name).toBe('x-llm.api');
    expect(core.instrumentationScope.name).toBe('x-llm.scheduler');

    expect(eventNames(api)).toEqual([
      API_EVENT.ARRIVED,
      API_EVENT.HANDOFF,
      API_EVENT.FIRST_RESPONSE,
      API_EVENT.DEPARTED,
    ]);
    expect(api.attributes).toMatchObject({
      [GEN_AI.operationName]: 'text_completion',
      [GEN_AI.requestModel]: 'stories260K',
      [GEN_AI.maxTokens]: 12,
      [GEN_AI.temperature]: 0,
      [GEN_AI.topP]: 0.9,
      [GEN_AI.choiceCount]: 1,
      [GEN_AI.stream]: true,
      [GEN_AI.outputTokens]: 12,
      [GEN_AI.finishReasons]: ['length'],
    });
    expect(api.attributes[GEN_AI.inputTokens]).toBeGreaterThan(0);

    expect(eventNames(core)).toEqual([
      JOURNEY_EVENT.QUEUED,
      JOURNEY_EVENT.SCHEDULED,
      JOURNEY_EVENT.FIRST_TOKEN,
      JOURNEY_EVENT.FINISHED,
    ]);
    expectWellFormed(core);
    const [queued] = eventAttributes(core, JOURNEY_EVENT.QUEUED);
    expect(queued).toMatchObject({ phase: 'WAITING', prefill_done_tokens: 0, decode_done_tokens: 0 });
    expect(eventAttributes(core, JOURNEY_EVENT.SCHEDULED)[0]).toMatchObject({ schedule_kind: 'FIRST' });
    const [finished] = eventAttributes(core, JOURNEY_EVENT.FINISHED);
    expect(finished).toMatchObject({
      finish_status: 'length',
      decode_done_tokens: 12,
      decode_max_tokens: 12,
    });
    expect(finished![JOURNEY_ATTR.prefillDone]).toBe(finished![JOURNEY_ATTR.prefillTotal]);
    // The core span lies inside the API span.
    expect(hr(core.startTime)).toBeGreaterThanOrEqual(hr(api.startTime) - 5);
    expect(hr(core.endTime)).toBeLessThanOrEqual(hr(api.endTime) + 5);
    expect(t.tracing.pendingRequests).toBe(0);
  });

  it("puts both spans inside a client's own trace", async () => {
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const clientSpan = 'b7ad6b7169203331';
    await serveHooked(t.tracing.serverPlugin, engine, {
      requestId: 'chatcmpl-2',
      endpoint: 'chat.completions',
      prompt: 'Lily',
      params: { temperature: 0, maxTokens: 3 },
      // Sampled flag 00: the plugin decides for itself all the same.
      headers: { traceparent: `00-${traceId}-${clientSpan}-00`, tracestate: 'vendor=1' },
    });
    const api = spanOf(t.spans(SPAN.request), 'chatcmpl-2');
    const core = spanOf(t.spans(SPAN.core), 'chatcmpl-2');
    expect(api.spanContext().traceId).toBe(traceId);
    expect(parentId(api)).toBe(clientSpan);
    expect(core.spanContext().traceId).toBe(traceId);
    expect(parentId(core)).toBe(api.spanContext().spanId);
    expect(api.attributes[GEN_AI.operationName]).toBe('chat');
  });

  it('ends both spans on a client disconnect, with one terminal api.ABORTED', async () => {
    const served = await serveHooked(t.tracing.serverPlugin, engine, {
      requestId: 'cmpl-3',
      prompt: 'Once upon a time',
      params: { temperature: 0, maxTokens: 50, ignoreEos: true },
      disconnectAfter: 3,
    });
    expect(served.outcome).toBe('aborted');
    const api = spanOf(t.spans(SPAN.request), 'cmpl-3');
    const core = spanOf(t.spans(SPAN.core), 'cmpl-3');
    expect(eventNames(api).at(-1)).toBe(API_EVENT.ABORTED);
    expect(eventNames(api)).not.toContain(API_EVENT.DEPARTED);
    expect(eventAttributes(api, API_EVENT.ABORTED)[0]).toEqual({
      reason: 'client disconnected',
      'http.response.status_code': 499,
    });
    expect(api.status).toEqual({ code: 2, message: 'client disconnected' });
    expect(eventAttributes(core, JOURNEY_EVENT.FINISHED)[0]).toMatchObject({ finish_status: 'aborted' });
    expect(t.tracing.pendingRequests).toBe(0);
  });

  it('traces a request that enters the engine directly, by the plugin’s own rate, as a root', async () => {
    for await (const _ of engine.generate('Tim', { maxTokens: 2 }, { requestId: 'direct-1' })) void _;
    const core = spanOf(t.spans(SPAN.core), 'direct-1');
    expect(parentId(core)).toBe('');
    expect(eventNames(core).at(-1)).toBe(JOURNEY_EVENT.FINISHED);
  });

  it('gives n > 1 one core span per sequence under the one API span', async () => {
    await serveHooked(t.tracing.serverPlugin, engine, {
      requestId: 'cmpl-n',
      prompt: 'The cat',
      params: { temperature: 1, seed: 3, maxTokens: 4, n: 2 },
    });
    const api = spanOf(t.spans(SPAN.request), 'cmpl-n');
    const cores = ['cmpl-n-0', 'cmpl-n-1'].map((id) => spanOf(t.spans(SPAN.core), id));
    for (const core of cores) expect(parentId(core)).toBe(api.spanContext().spanId);
    expect(api.attributes[GEN_AI.finishReasons]).toHaveLength(2);
  });
});

describe('journey spans under preemption and rejection', () => {
  it('records PREEMPTED and RESUME, and prefill progress never goes backwards', async () => {
    // 12 blocks of 16 tokens for 8 requests of ~80 tokens each: preemption is certain.
    const engine = await engineWith({
      kvCache: { numBlocks: 12 },
      maxModelLen: 192,
      enablePrefixCaching: false,
    });
    const t = memoryTracing();
    engine.use(t.tracing.schedulerPlugin);
    const ids = Array.from({ length: 8 }, (_, i) => `p${i}`);
    await Promise.all(
      ids.map((id) =>
        serveHooked(t.tracing.serverPlugin, engine, {
          requestId: id,
          prompt: `Once upon a time there was a little ${id}`,
          params: { temperature: 0, maxTokens: 64, ignoreEos: true },
        }),
      ),
    );
    await engine.shutdown();
    const cores = t.spans(SPAN.core);
    expect(cores).toHaveLength(8);
    const preempted = cores.filter((c) => eventNames(c).includes(JOURNEY_EVENT.PREEMPTED));
    expect(preempted.length).toBeGreaterThan(0);
    for (const core of cores) {
      expectWellFormed(core);
      const prefill = core.events.map((e) => e.attributes?.[JOURNEY_ATTR.prefillDone] as number);
      expect([...prefill].sort((a, b) => a - b)).toEqual(prefill);
      const kinds = eventAttributes(core, JOURNEY_EVENT.SCHEDULED).map((a) => a[JOURNEY_ATTR.scheduleKind]);
      const preemptions = eventAttributes(core, JOURNEY_EVENT.PREEMPTED).length;
      expect(kinds).toEqual(['FIRST', ...Array<string>(preemptions).fill('RESUME')]);
      const finished = eventAttributes(core, JOURNEY_EVENT.FINISHED)[0]!;
      expect(finished[JOURNEY_ATTR.numPreemptions]).toBe(preemptions);
      expect(finished[JOURNEY_ATTR.finishStatus]).toBe('length');
    }
    expect(t.tracing.pendingRequests).toBe(0);
  });

  it('ends the core span of an ignored prompt (too long for the pool) as an error', () => {
    // The engine refuses such a prompt before queueing it (its pool holds maxModelLen), so the
    // scheduler is driven directly: 2 blocks of 16 tokens for a 60-token prompt.
    const t = memoryTracing();
    const loop = new FakeLoop(t.tracing.serverPlugin, t.tracing.schedulerPlugin, { numBlocks: 2 });
    const id = loop.arrive(60, 4);
    expect(loop.inFlight).toBe(0);
    const core = spanOf(t.spans(SPAN.core), id);
    expect(eventNames(core)).toEqual([JOURNEY_EVENT.QUEUED, JOURNEY_EVENT.FINISHED]);
    expect(eventAttributes(core, JOURNEY_EVENT.FINISHED)[0]).toMatchObject({ finish_status: 'ignored' });
    expect(core.status.code).toBe(2);
  });

  it('ends open core spans when the engine shuts down mid-request', async () => {
    const engine = await engineWith();
    const t = memoryTracing();
    engine.use(t.tracing.schedulerPlugin);
    const it = engine.generate('Once', { maxTokens: 200, ignoreEos: true }, { requestId: 'cut' });
    await it.next();
    await engine.shutdown();
    const core = spanOf(t.spans(SPAN.core), 'cut');
    expect(eventAttributes(core, JOURNEY_EVENT.FINISHED)[0]).toMatchObject({ finish_status: 'aborted' });
    expect(t.tracing.pendingRequests).toBe(0);
  });
});

function hr(time: readonly [number, number]): number {
  return time[0] * 1e3 + time[1] / 1e6;
}
