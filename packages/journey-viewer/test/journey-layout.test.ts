/** How a journey is drawn: segments by phase, open ones running to now, markers and status. */
import { describe, expect, test } from '@jest/globals';
import { layoutJourney } from '../src/shared/journey-layout.js';
import type { Journey, JourneyEvent, JourneyProgress } from '../src/shared/journey-types.js';

const progress = (phase: JourneyProgress['phase'], decodeDone = 0): JourneyProgress => ({
  step: 0,
  phase,
  prefillDone: 0,
  prefillTotal: 10,
  decodeDone,
  decodeMax: 8,
  numPreemptions: 0,
});
const api = (type: JourneyEvent['type'], timeMs: number, reason?: string): JourneyEvent => ({
  type,
  layer: 'api',
  timeMs,
  ...(reason !== undefined && { reason }),
});
const core = (
  type: JourneyEvent['type'],
  timeMs: number,
  extra: Partial<JourneyEvent> = {},
): JourneyEvent => ({
  type,
  layer: 'core',
  timeMs,
  progress: progress(type === 'QUEUED' || type === 'PREEMPTED' ? 'WAITING' : 'PREFILL'),
  ...extra,
});
const journey = (events: JourneyEvent[]): Journey => ({
  id: 'r',
  startMs: 0,
  info: {},
  events,
  droppedEvents: 0,
});
const phases = (j: Journey, now: number) =>
  layoutJourney(j, now).segments.map((s) => [s.phase, s.startMs, s.endMs, s.open] as const);

describe('layoutJourney', () => {
  test('a served request: arriving, queued, prefill, decode, responding', () => {
    const j = journey([
      api('ARRIVED', 0),
      api('HANDOFF', 1),
      core('QUEUED', 2),
      core('SCHEDULED', 5, { kind: 'FIRST' }),
      core('PREFILL_CHUNK', 7),
      core('FIRST_TOKEN', 9),
      core('FINISHED', 20, { status: 'stopped', progress: progress('DECODE', 8) }),
      api('DEPARTED', 21),
    ]);
    expect(phases(j, 99)).toEqual([
      ['api', 0, 1, false],
      ['queued', 2, 5, false],
      ['prefill', 5, 9, false],
      ['decode', 9, 20, false],
      ['respond', 20, 21, false],
    ]);
    const layout = layoutJourney(j, 99);
    expect(layout.markers.map((m) => m.type)).toEqual(['prefill-chunk', 'first-token', 'finished']);
    expect(layout).toMatchObject({ status: 'stopped', done: true, endMs: 21, outputTokens: 8 });
  });

  test('in flight: the open phase runs to now and names the status', () => {
    const j = journey([
      core('QUEUED', 0),
      core('SCHEDULED', 2),
      core('FIRST_TOKEN', 3),
      core('PREEMPTED', 6),
    ]);
    expect(phases(j, 10).at(-1)).toEqual(['preempted', 6, 10, true]);
    expect(layoutJourney(j, 10)).toMatchObject({ status: 'preempted', done: false, endMs: 10 });
  });

  test('a client that leaves: aborted with its reason, lanes closed where the server gave up', () => {
    const j = journey([
      api('ARRIVED', 0),
      api('HANDOFF', 1),
      core('QUEUED', 1),
      api('ABORTED', 4, 'client disconnected'),
    ]);
    const layout = layoutJourney(j, 50);
    expect(layout).toMatchObject({ status: 'aborted', reason: 'client disconnected', done: true, endMs: 4 });
    expect(phases(j, 50).at(-1)).toEqual(['queued', 1, 4, false]);
    expect(layout.markers).toEqual([{ type: 'aborted', timeMs: 4, lane: -1 }]);
  });

  test('choices end differently: the row shows the worst', () => {
    const j = journey([
      core('QUEUED', 0, { choice: 0 }),
      core('QUEUED', 0, { choice: 1 }),
      core('FINISHED', 5, { choice: 0, status: 'stopped' }),
      core('FINISHED', 6, { choice: 1, status: 'error', reason: 'boom' }),
    ]);
    expect(layoutJourney(j, 9)).toMatchObject({ lanes: 2, status: 'error', reason: 'boom', done: true });
  });
});
