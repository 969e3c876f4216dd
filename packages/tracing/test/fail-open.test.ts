/**
 * Fail-open: a tracer or span that throws never breaks, reorders or leaks a
 * request; each kind of failure is logged once, at debug level.
 */
import { describe, expect, it } from '@jest/globals';
import { trace, type Span, type Tracer, type TracerProvider } from '@opentelemetry/api';
import { createJourneyTracing } from '../src/index.js';
import { FakeLoop } from './support/fake-loop.js';

const boom = () => {
  throw new Error('tracer exploded');
};

/** A provider whose tracer throws from `startSpan`, or whose spans throw from every method. */
function brokenProvider(where: 'startSpan' | 'span'): TracerProvider {
  const real = trace.getTracer('noop');
  const span = new Proxy(real.startSpan('x'), {
    get: (target, key) => {
      if (key === 'isRecording') return () => true;
      return key === 'spanContext' ? Reflect.get(target, key) : boom;
    },
  }) as Span;
  const tracer: Tracer = {
    startSpan: where === 'startSpan' ? boom : () => span,
    startActiveSpan: boom as Tracer['startActiveSpan'],
  };
  return { getTracer: () => tracer };
}

describe('fail-open hooks', () => {
  it.each(['startSpan', 'span'] as const)(
    'serves every request when the tracer throws in %s',
    async (where) => {
      const logged: string[] = [];
      const tracing = createJourneyTracing({
        tracerProvider: brokenProvider(where),
        stepTracing: { enabled: true, richSubsampleRate: 1 },
        logger: { debug: (message) => logged.push(message) },
      });
      const loop = new FakeLoop(tracing.serverPlugin, tracing.schedulerPlugin, { numBlocks: 16 });
      const finished: string[] = [];
      loop.scheduler.use({
        onFinished: (request, status) => finished.push(`${request.requestId}:${status}`),
      });
      const ids = Array.from({ length: 40 }, () => loop.arrive(30, 6));
      // Straight into the scheduler too, so the core spans are started even when the API span fails.
      for (let i = 0; i < 10; i++) {
        loop.scheduler.addRequest({
          requestId: `direct-${i}`,
          promptTokenIds: [1, 2, 3],
          sampling: { maxTokens: 6 },
        });
      }
      loop.abort(ids[3]!);
      while (loop.scheduler.hasUnfinishedRequests()) loop.step();

      // Every request that reached the scheduler ended normally (one aborted), none was lost.
      const handedOff = finished.length;
      expect(handedOff).toBeGreaterThan(45);
      expect(finished.filter((f) => f.endsWith(':length'))).toHaveLength(handedOff - 1);
      expect(loop.inFlight).toBe(0);
      expect(tracing.pendingRequests).toBe(0);
      // Logged once per kind of failure, however many requests failed.
      expect(new Set(logged).size).toBe(logged.length);
      const expected =
        where === 'span'
          ? ['api span start', 'core span start', 'core event', 'core span end', 'step span']
          : ['api span start', 'core span start', 'step span'];
      expected.sort();
      expect(logged.map((m) => m.slice('[@x/tracing] '.length, m.indexOf(' failed'))).sort()).toEqual(
        expected,
      );
      expect(logged.every((m) => m.startsWith('[@x/tracing]'))).toBe(true);
      await tracing.shutdown();
    },
  );

  it('survives a logger that throws too', () => {
    const tracing = createJourneyTracing({
      tracerProvider: brokenProvider('startSpan'),
      logger: { debug: boom },
    });
    const loop = new FakeLoop(tracing.serverPlugin, tracing.schedulerPlugin);
    loop.arrive(10, 2);
    while (loop.scheduler.hasUnfinishedRequests()) loop.step();
    expect(loop.inFlight).toBe(0);
  });
});
