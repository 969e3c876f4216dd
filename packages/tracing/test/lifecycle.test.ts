/**
 * Lifecycle safety at volume: 10,000 requests through a real Scheduler (fake
 * tokens, a pool small enough to preempt) and the server hooks, with random
 * client aborts and validation rejections. Every span that starts ends, no
 * request state is left, and sampling is both-or-neither per request.
 */
import { describe, expect, it } from '@jest/globals';
import { createJourneyTracing, SPAN } from '../src/index.js';
import { FakeLoop } from './support/fake-loop.js';
import { countingProvider } from './support/span-counter.js';

const REQUESTS = 10_000;

/** Runs `REQUESTS` requests, keeping about 48 in flight, aborting ~10% at random moments. */
function drive(loop: FakeLoop): void {
  const live: string[] = [];
  let arrived = 0;
  while (arrived < REQUESTS || loop.scheduler.hasUnfinishedRequests()) {
    while (arrived < REQUESTS && loop.scheduler.numRunning + loop.scheduler.numWaiting < 48) {
      live.push(loop.arrive(8 + Math.floor(loop.random() * 120), 1 + Math.floor(loop.random() * 40)));
      arrived++;
    }
    if (live.length > 0 && loop.random() < 0.3) {
      loop.abort(live.splice(Math.floor(loop.random() * live.length), 1)[0]!);
    }
    if (loop.scheduler.hasUnfinishedRequests()) loop.step();
  }
}

describe('10,000 requests with random aborts', () => {
  it.each([1, 0.5])(
    'leaves no state and ends every span (sample rate %s)',
    async (sampleRate) => {
      const { provider, counter } = countingProvider();
      const tracing = createJourneyTracing({
        tracerProvider: provider,
        sampleRate,
        stepTracing: { enabled: true, sampleRate: 0.1, richSubsampleRate: 0.5 },
      });
      // 48 blocks of 16 for up to 48 requests of up to 160 tokens: preemptions all along.
      const loop = new FakeLoop(tracing.serverPlugin, tracing.schedulerPlugin, { numBlocks: 48, seed: 7 });
      drive(loop);
      expect(loop.inFlight).toBe(0);
      expect(tracing.pendingRequests).toBe(0);
      expect(counter.started).toBe(counter.ended);

      const journeys = [...counter.traces.values()].filter((names) => !names.includes(SPAN.step));
      for (const names of journeys) {
        // Both or neither: a served request's trace has its API span and, unless rejected before hand-off, one core span.
        expect(names.filter((n) => n === SPAN.request)).toHaveLength(1);
        expect(names.filter((n) => n === SPAN.core).length).toBeLessThanOrEqual(1);
      }
      const withCore = journeys.filter((names) => names.includes(SPAN.core)).length;
      expect(withCore).toBeGreaterThan(REQUESTS * 0.97 * sampleRate * 0.9);
      expect(journeys.length).toBeLessThan(REQUESTS * sampleRate * 1.1 + 1);
      await tracing.shutdown();
    },
    120_000,
  );

  it('shutdown ends the spans of requests still in flight and empties every map', async () => {
    const { provider, counter } = countingProvider();
    const tracing = createJourneyTracing({ tracerProvider: provider });
    const loop = new FakeLoop(tracing.serverPlugin, tracing.schedulerPlugin);
    for (let i = 0; i < 20; i++) loop.arrive(30, 50);
    loop.step();
    loop.step();
    expect(tracing.pendingRequests).toBeGreaterThan(0);
    await tracing.shutdown();
    expect(tracing.pendingRequests).toBe(0);
    expect(counter.started).toBe(counter.ended);
    // After shutdown nothing new is traced, and the in-flight requests finish untouched.
    while (loop.scheduler.hasUnfinishedRequests()) loop.step();
    loop.arrive(10, 2);
    while (loop.scheduler.hasUnfinishedRequests()) loop.step();
    expect(tracing.pendingRequests).toBe(0);
    expect(counter.started).toBe(counter.ended);
  });
});
