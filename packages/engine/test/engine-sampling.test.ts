/** Seeded sampling, n > 1, stop strings, logprobs, aborts and refused prompts, end to end. */
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { EngineInputError, type Engine } from '../src/index.js';
import { collect, storiesEngine } from './engine-fixtures.js';

let engine: Engine;
beforeAll(async () => {
  engine = await storiesEngine('gguf');
});
afterAll(() => engine.shutdown());

const SAMPLED = { temperature: 1, topP: 0.9, maxTokens: 30, ignoreEos: true };

test('a seeded request reproduces exactly, alone or among others', async () => {
  const a = await collect(engine.generate('Once upon a time', { ...SAMPLED, seed: 42 }));
  const [b] = await Promise.all([
    collect(engine.generate('Once upon a time', { ...SAMPLED, seed: 42 })),
    collect(engine.generate('Lily wanted', { ...SAMPLED, seed: 7 })),
    collect(engine.generate('The dog', SAMPLED)),
  ]);
  expect(b.ids[0]).toEqual(a.ids[0]);
  const c = await collect(engine.generate('Once upon a time', { ...SAMPLED, seed: 43 }));
  expect(c.ids[0]).not.toEqual(a.ids[0]);
});

test('n > 1 gives n sequences with their own seeds', async () => {
  const r = await collect(engine.generate('Once upon a time', { ...SAMPLED, seed: 1, n: 3 }));
  expect(r.ids).toHaveLength(3);
  r.ids.forEach((ids) => expect(ids).toHaveLength(30));
  expect(new Set(r.text).size).toBeGreaterThan(1);
  expect(r.outputs.filter((o) => o.finished)).toHaveLength(3);
});

test('a stop string ends the text before it, across token boundaries', async () => {
  const full = await collect(
    engine.generate('Once upon a time', { temperature: 0, maxTokens: 40, ignoreEos: true }),
  );
  const text = full.text[0]!;
  const stop = text.slice(20, 27); // spans tokens
  const r = await collect(
    engine.generate('Once upon a time', { temperature: 0, maxTokens: 40, ignoreEos: true, stop: [stop] }),
  );
  const last = r.outputs.at(-1)!;
  expect(r.text[0]).toBe(text.slice(0, text.indexOf(stop)));
  expect(last.finishReason).toBe('stop');
  expect(last.stopReason).toBe(stop);
  expect(engine.core.scheduler.kvCacheUsage().blocksUsed).toBe(0);
});

test('logprobs: each token with its top alternatives, most likely first', async () => {
  const r = await collect(engine.generate('Once upon a time', { temperature: 0, maxTokens: 5, logprobs: 3 }));
  const lps = r.outputs.flatMap((o) => o.logprobs ?? []);
  expect(lps).toHaveLength(5);
  for (const lp of lps) {
    expect(lp.top).toHaveLength(3);
    expect(lp.top[0]!.tokenId).toBe(lp.tokenId); // greedy picks the most likely
    expect(lp.logprob).toBeCloseTo(lp.top[0]!.logprob, 6);
    expect(lp.top[0]!.logprob).toBeGreaterThanOrEqual(lp.top[1]!.logprob);
  }
});

test('aborting mid-generation finishes as aborted and frees every block', async () => {
  const controller = new AbortController();
  const outputs = [];
  for await (const o of engine.generate(
    'Once upon a time',
    { ...SAMPLED, maxTokens: 200 },
    { signal: controller.signal },
  )) {
    outputs.push(o);
    if (outputs.length === 5) controller.abort();
  }
  expect(outputs.at(-1)!.finishReason).toBe('abort');
  expect(engine.core.scheduler.kvCacheUsage().blocksUsed).toBe(0);
  expect(engine.core.busy).toBe(false);
});

test('a signal aborted before the call ends every sequence at once as aborted', async () => {
  const aborted = engine.core.stats.counters.finished.abort;
  const r = await collect(
    engine.generate('Once upon a time', { ...SAMPLED, n: 2 }, { signal: AbortSignal.abort() }),
  );
  expect(r.outputs.map((o) => [o.index, o.finishReason, o.tokenIds.length])).toEqual([
    [0, 'abort', 0],
    [1, 'abort', 0],
  ]);
  expect(engine.core.stats.counters.finished.abort).toBe(aborted + 2);
  expect(engine.core.scheduler.kvCacheUsage().blocksUsed).toBe(0);
  expect(engine.core.busy).toBe(false);
});

test('breaking out of the loop aborts the request', async () => {
  for await (const o of engine.generate('Once upon a time', { ...SAMPLED, maxTokens: 200 })) {
    if (o.tokenIds.length) break;
  }
  await new Promise((r) => setTimeout(r, 50));
  expect(engine.core.scheduler.kvCacheUsage().blocksUsed).toBe(0);
  expect(engine.core.busy).toBe(false);
});

test('a prompt longer than the context is refused with a clear error', () => {
  const long = Array.from({ length: 600 }, () => 300);
  expect(() => engine.generate(long, { maxTokens: 1 })).toThrow(EngineInputError);
  expect(() => engine.generate(long, { maxTokens: 1 })).toThrow(/maximum context length is 512 tokens/);
});

test('bad parameters name the parameter', () => {
  expect(() => engine.generate('x', { temperature: -1 })).toThrow(/temperature/);
  expect(() => engine.generate('x', { topP: 0 })).toThrow(/top_p/);
  expect(() => engine.generate('x', { n: 0 })).toThrow(/\bn\b/);
});

test('many concurrent requests: none lost, none duplicated', async () => {
  const runs = Array.from({ length: 24 }, (_, i) =>
    collect(
      engine.generate(
        'Once upon a time',
        { ...SAMPLED, seed: i, maxTokens: 10 + (i % 5) },
        { requestId: `many-${i}` },
      ),
    ),
  );
  const results = await Promise.all(runs);
  results.forEach((r, i) => {
    expect(r.ids[0]).toHaveLength(10 + (i % 5));
    expect(r.outputs.filter((o) => o.finished)).toHaveLength(1);
    expect(new Set(r.outputs.map((o) => o.requestId))).toEqual(new Set([`many-${i}`]));
  });
});
