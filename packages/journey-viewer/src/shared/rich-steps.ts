/**
 * Journey progress read from span attributes, and the replay of rich step
 * spans: their per-request snapshots become the PREFILL_CHUNK and DECODE
 * events the live recorder makes from `onStep`.
 * @module
 */
import type { JourneyEvent, JourneyProgress } from './journey-types.js';
import { attributesOf, nanosToMs, type Attributes, type OtlpSpan } from './otlp-format.js';
import { ATTR, REQUEST_SNAPSHOT_EVENT } from './otlp-names.js';
import { PrefillTracker } from './prefill-tracker.js';

/** One scheduler request's core events (a choice's, when `n > 1`), to add replayed events to. */
export interface CoreRequest {
  readonly events: JourneyEvent[];
  readonly choice: number | undefined;
}

/** The progress attributes every journey event (and request snapshot) carries. */
export function progressOf(attrs: Attributes): JourneyProgress {
  const phase = String(attrs[ATTR.phase] ?? 'WAITING');
  return {
    step: Number(attrs[ATTR.step] ?? 0),
    phase: phase === 'PREFILL' || phase === 'DECODE' ? phase : 'WAITING',
    prefillDone: Number(attrs[ATTR.prefillDone] ?? 0),
    prefillTotal: Number(attrs[ATTR.prefillTotal] ?? 0),
    decodeDone: Number(attrs[ATTR.decodeDone] ?? 0),
    decodeMax: Number(attrs[ATTR.decodeMax] ?? 0),
    numPreemptions: Number(attrs[ATTR.numPreemptions] ?? 0),
  };
}

/**
 * Rich step spans list each running request: replays them with the journeys'
 * own events, in step order (a step's events before its end-of-step
 * snapshot), through the same tracker the live recorder uses.
 */
export function addPrefillEvents(
  stepSpans: readonly OtlpSpan[],
  byCoreId: ReadonlyMap<string, CoreRequest>,
): void {
  type Item = { step: number; order: 0 | 1; timeMs: number; apply: (tracker: PrefillTracker) => void };
  const items: Item[] = [];
  for (const [coreId, { events, choice }] of byCoreId) {
    for (const event of events) {
      if (event.choice !== choice) continue;
      items.push({
        step: event.progress?.step ?? 0,
        order: 0,
        timeMs: event.timeMs,
        apply: (tracker) => {
          if (event.type === 'SCHEDULED' && event.progress?.phase === 'PREFILL')
            tracker.start(coreId, event.progress.prefillDone);
          else if (event.type === 'FIRST_TOKEN' || event.type === 'PREEMPTED' || event.type === 'FINISHED')
            tracker.stop(coreId);
        },
      });
    }
  }
  for (const span of stepSpans) {
    const summary = attributesOf(span.attributes);
    const step = Number(summary[ATTR.step] ?? 0);
    const endMs = nanosToMs(span.endTimeUnixNano);
    for (const event of span.events ?? []) {
      if (event.name !== REQUEST_SNAPSHOT_EVENT) continue;
      const a = attributesOf(event.attributes);
      const target = byCoreId.get(String(a[ATTR.snapshotRequestId]));
      if (target === undefined) continue;
      items.push({
        step,
        order: 1,
        timeMs: endMs,
        apply: (tracker) => {
          const type = tracker.observe(
            String(a[ATTR.snapshotRequestId]),
            String(a[ATTR.phase]),
            Number(a[ATTR.prefillDone]),
          );
          if (type === undefined) return;
          target.events.push({
            type,
            layer: 'core',
            timeMs: endMs,
            ...(target.choice !== undefined && { choice: target.choice }),
            progress: { ...progressOf(a), step },
          });
        },
      });
    }
  }
  if (!items.some((item) => item.order === 1)) return;
  const tracker = new PrefillTracker();
  items.sort((x, y) => x.step - y.step || x.order - y.order || x.timeMs - y.timeMs);
  for (const item of items) item.apply(tracker);
}
