/** Step tracing: sampled steps become `llm_step` spans with a batch summary and, when rich, per-request snapshots. */
import { describe, expect, it } from '@jest/globals';
import { SPAN, STEP_ATTR, STEP_EVENT } from '../src/index.js';
import { FakeLoop, seeded } from './support/fake-loop.js';
import { eventAttributes, eventNames, memoryTracing } from './support/memory-tracing.js';

function run(stepTracing: { enabled?: boolean; sampleRate?: number; richSubsampleRate?: number }) {
  const t = memoryTracing({ stepTracing, random: seeded(2) });
  const loop = new FakeLoop(t.tracing.serverPlugin, t.tracing.schedulerPlugin, { numBlocks: 16, seed: 9 });
  for (let i = 0; i < 12; i++) loop.arrive(40, 12);
  let steps = 0;
  while (loop.scheduler.hasUnfinishedRequests()) {
    loop.step();
    steps++;
  }
  return { t, steps };
}

describe('step tracing', () => {
  it('is off by default: no onStep hook, no step spans', () => {
    const { t } = run({});
    expect(t.tracing.schedulerPlugin.onStep).toBeUndefined();
    expect(t.spans(SPAN.step)).toHaveLength(0);
  });

  it('summarises every step at rate 1, with the batch figures', () => {
    const { t, steps } = run({ enabled: true });
    const spans = t.spans(SPAN.step);
    expect(spans).toHaveLength(steps);
    expect(spans.map((s) => s.attributes[STEP_ATTR.step])).toEqual(
      Array.from({ length: steps }, (_, i) => i + 1),
    );
    for (const span of spans) {
      expect(eventNames(span)).toEqual([STEP_EVENT.BATCH_SUMMARY]);
      const summary = eventAttributes(span, STEP_EVENT.BATCH_SUMMARY)[0]!;
      for (const key of [
        'num_running',
        'num_waiting',
        'scheduled_requests',
        'scheduled_tokens',
        'prefill_tokens',
        'decode_tokens',
        'num_preempted',
        'kv_blocks_used',
        'kv_blocks_free',
        'kv_usage',
        'prefix_cache_hit_rate',
        'step_duration_ms',
      ]) {
        expect(summary).toHaveProperty(key);
      }
      expect((summary.prefill_tokens as number) + (summary.decode_tokens as number)).toBe(
        summary.scheduled_tokens,
      );
      expect(summary.kv_usage).toBeGreaterThanOrEqual(0);
      expect(summary.kv_usage).toBeLessThanOrEqual(1);
      expect(span.links).toHaveLength(0);
    }
    // 12 requests of 52 tokens in 16 blocks of 16: some step must preempt.
    expect(spans.some((s) => (s.attributes[STEP_ATTR.numPreempted] as number) > 0)).toBe(true);
  });

  it('adds one snapshot per running request on rich steps, linked to their core spans', () => {
    const { t } = run({ enabled: true, richSubsampleRate: 1 });
    const cores = new Map(t.spans(SPAN.core).map((s) => [s.spanContext().spanId, s]));
    for (const span of t.spans(SPAN.step)) {
      const snapshots = eventAttributes(span, STEP_EVENT.REQUEST_SNAPSHOT);
      expect(snapshots).toHaveLength(span.attributes[STEP_ATTR.numRunning] as number);
      for (const snapshot of snapshots) {
        for (const key of [
          'request_id',
          'phase',
          'prefill_done_tokens',
          'decode_done_tokens',
          'kv_blocks_held',
          'tokens_cached',
        ]) {
          expect(snapshot).toHaveProperty(key);
        }
      }
      const linked = span.links.map((l) => cores.get(l.context.spanId)?.attributes['gen_ai.request.id']);
      expect(linked).toEqual(snapshots.map((s) => s.request_id));
    }
  });

  it('samples a fraction of steps, and a fraction of those rich', () => {
    const { t, steps } = run({ enabled: true, sampleRate: 0.5, richSubsampleRate: 0.5 });
    const spans = t.spans(SPAN.step);
    expect(spans.length).toBeGreaterThan(0);
    expect(spans.length).toBeLessThan(steps);
    const rich = spans.filter((s) => eventNames(s).includes(STEP_EVENT.REQUEST_SNAPSHOT));
    expect(rich.length).toBeGreaterThan(0);
    expect(rich.length).toBeLessThan(spans.length);
  });
});
