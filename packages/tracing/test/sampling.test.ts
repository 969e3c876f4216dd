/**
 * Sampling: the API layer decides once per request, the decision travels in
 * `x-journey-sampled`, and a request has both spans or neither, whatever the
 * rate and whatever the client's own `traceparent` flag says.
 */
import { describe, expect, it } from '@jest/globals';
import { SPAN } from '../src/index.js';
import { checkRate, rateSampler } from '../src/options.js';
import { FakeLoop, seeded } from './support/fake-loop.js';
import { memoryTracing, parentId, spanOf } from './support/memory-tracing.js';

const CLIENT = { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' };

function run(sampleRate: number, requests: number, headers: Record<string, string> = {}) {
  const t = memoryTracing({ sampleRate, random: seeded(11) });
  const loop = new FakeLoop(t.tracing.serverPlugin, t.tracing.schedulerPlugin, { seed: 3 });
  for (let i = 0; i < requests; i++) loop.arrive(20, 4, headers);
  while (loop.scheduler.hasUnfinishedRequests()) loop.step();
  return { t, api: t.spans(SPAN.request), core: t.spans(SPAN.core) };
}

describe('per-request sampling', () => {
  it('traces nothing at 0, and writes no header (the core draws 0 too)', () => {
    const t = memoryTracing({ sampleRate: 0 });
    const headers: Record<string, string> = {};
    t.tracing.serverPlugin.onArrived!(
      { requestId: 'a', endpoint: 'completions', headers: CLIENT, arrivalEpochMs: 0, arrivalMonotonicNs: 0 },
      { set: (name, value) => (headers[name] = value) },
    );
    expect(headers).toEqual({});
    const { api, core } = run(0, 200, CLIENT);
    expect(api).toHaveLength(0);
    expect(core).toHaveLength(0);
  });

  it('traces every request at 1, even when the client sent sampled=00', () => {
    const unsampled = { traceparent: CLIENT.traceparent.replace(/-01$/, '-00') };
    const { api, core } = run(1, 100, unsampled);
    expect(api.length).toBeGreaterThan(90); // ~2% are rejected before hand-off: API span only
    expect(core).toHaveLength(api.filter((s) => s.attributes['gen_ai.request.model'] !== undefined).length);
    for (const c of core) {
      const parent = spanOf(api, c.attributes['gen_ai.request.id'] as string);
      expect(parentId(c)).toBe(parent.spanContext().spanId);
      expect(c.spanContext().traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    }
  });

  it('tells the core when a request is not sampled at a rate above 0', () => {
    const t = memoryTracing({ sampleRate: 0.5, random: () => 0.9 });
    const headers: Record<string, string> = {};
    t.tracing.serverPlugin.onArrived!(
      { requestId: 'a', endpoint: 'completions', headers: {}, arrivalEpochMs: 0, arrivalMonotonicNs: 0 },
      { set: (name, value) => (headers[name] = value) },
    );
    expect(headers).toEqual({ 'x-journey-sampled': '0' });
  });

  it('keeps both spans or neither at 0.5, over many requests', () => {
    const { api, core } = run(0.5, 2000);
    const apiIds = new Set(api.map((s) => s.attributes['gen_ai.request.id']));
    const handedOff = new Set(
      api
        .filter((s) => s.attributes['gen_ai.request.model'] !== undefined)
        .map((s) => s.attributes['gen_ai.request.id']),
    );
    const coreIds = new Set(core.map((s) => s.attributes['gen_ai.request.id']));
    expect(coreIds).toEqual(handedOff);
    for (const id of coreIds) expect(apiIds.has(id)).toBe(true);
    expect(api.length).toBeGreaterThan(850);
    expect(api.length).toBeLessThan(1150);
  });

  it('lets a request that enters the engine directly carry its own decision', () => {
    const t = memoryTracing({ sampleRate: 0 });
    const loop = new FakeLoop(undefined, t.tracing.schedulerPlugin);
    loop.scheduler.addRequest({
      requestId: 'yes',
      promptTokenIds: [1, 2, 3],
      traceHeaders: { 'x-journey-sampled': '1' },
    });
    loop.scheduler.addRequest({
      requestId: 'no',
      promptTokenIds: [1, 2, 3],
      traceHeaders: { 'x-journey-sampled': '0' },
    });
    loop.scheduler.addRequest({ requestId: 'rate', promptTokenIds: [1, 2, 3], sampling: { maxTokens: 2 } });
    loop.abort('yes');
    loop.abort('no');
    while (loop.scheduler.hasUnfinishedRequests()) loop.step();
    expect(t.spans(SPAN.core).map((s) => s.attributes['gen_ai.request.id'])).toEqual(['yes']);
  });

  it('rejects rates outside [0, 1]', () => {
    expect(() => checkRate(1.5, 'sampleRate')).toThrow('sampleRate must be a number in [0, 1] (got 1.5)');
    expect(() => checkRate(Number.NaN, 'x')).toThrow(RangeError);
    expect(() => memoryTracing({ stepTracing: { richSubsampleRate: -1 } })).toThrow(
      'stepTracing.richSubsampleRate',
    );
    const draws = rateSampler(0.25, seeded(5));
    const hits = Array.from({ length: 4000 }, draws).filter(Boolean).length;
    expect(hits / 4000).toBeCloseTo(0.25, 1);
  });
});
