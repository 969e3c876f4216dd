/**
 * The recorder on a real scheduler (fake model, tiny KV pool, small token
 * budget): journeys assembled from both hook APIs, prefill chunks and
 * recomputes from the step snapshots, and every bound holding.
 */
import { describe, expect, test } from '@jest/globals';
import type { ServerRequestInfo } from '@x/openai-server';
import { JourneyRecorder } from '../src/journey-recorder.js';
import { layoutJourney } from '../src/shared/journey-layout.js';
import type { Journey, JourneyEventType } from '../src/shared/journey-types.js';
import { runToEnd, tinyScheduler, tokens } from './support/fake-loop.js';

const types = (journey: Journey): JourneyEventType[] => journey.events.map((e) => e.type);

function request(id: string): ServerRequestInfo {
  return {
    requestId: id,
    endpoint: 'completions',
    headers: {},
    arrivalEpochMs: Date.now(),
    arrivalMonotonicNs: performance.now() * 1e6,
  };
}
const params = (n = 1) => ({
  model: 'tiny',
  promptTokens: 10,
  maxTokens: 12,
  temperature: 0,
  topP: undefined,
  n,
  stream: true,
});
const ignoreTrace = { set: () => {} };

describe('journeys from the scheduler hooks', () => {
  const recorder = new JourneyRecorder();
  // No prefix cache: a resumed request recomputes its tokens rather than finding them cached.
  const scheduler = tinyScheduler({ enablePrefixCaching: false });
  scheduler.use(recorder.schedulerPlugin);
  for (const id of ['a', 'b', 'c']) {
    scheduler.addRequest({
      requestId: id,
      promptTokenIds: tokens(10),
      sampling: { maxTokens: 12, ignoreEos: true },
    });
  }
  const steps = runToEnd(scheduler);
  const { journeys } = recorder.snapshot();

  test('every request has its own journey, from QUEUED to FINISHED', () => {
    expect(journeys.map((j) => j.id)).toEqual(['a', 'b', 'c']);
    for (const journey of journeys) {
      expect(types(journey)[0]).toBe('QUEUED');
      expect(journey.events.at(-1)).toMatchObject({ type: 'FINISHED', status: 'length' });
      expect(journey.events.filter((e) => e.type === 'SCHEDULED' && e.kind === 'FIRST')).toHaveLength(1);
      expect(journey.events.every((e) => e.layer === 'core' && e.progress !== undefined)).toBe(true);
      expect(layoutJourney(journey, 0)).toMatchObject({ status: 'length', done: true, outputTokens: 12 });
    }
    expect(recorder.size).toEqual({ journeys: 3, steps, inFlight: 0 });
  });

  test('a prompt longer than the token budget shows its chunks', () => {
    const chunks = journeys[0]!.events.filter((e) => e.type === 'PREFILL_CHUNK');
    expect(chunks.length).toBeGreaterThanOrEqual(1);
    for (const chunk of chunks) {
      expect(chunk.progress!.phase).toBe('PREFILL');
      expect(chunk.progress!.prefillDone).toBeLessThan(chunk.progress!.prefillTotal);
    }
    const firstToken = journeys[0]!.events.find((e) => e.type === 'FIRST_TOKEN')!;
    expect(firstToken.progress!.prefillDone).toBe(10);
  });

  test('a preempted request resumes, recomputes, then decodes again', () => {
    const preempted = journeys.filter((j) => types(j).includes('PREEMPTED'));
    expect(preempted.length).toBeGreaterThan(0);
    for (const journey of preempted) {
      const t = types(journey);
      const at = t.indexOf('PREEMPTED');
      expect(journey.events[at + 1]).toMatchObject({ type: 'SCHEDULED', kind: 'RESUME' });
      const layout = layoutJourney(journey, 0);
      expect(layout.segments.map((s) => s.phase)).toContain('preempted');
      expect(layout.preemptions).toBeGreaterThan(0);
      // Decoding more than the token its recompute samples, it went back to decode: a DECODE event.
      const resumed = journey.events[at + 1]!.progress!;
      const finished = journey.events.at(-1)!.progress!;
      if (resumed.phase === 'PREFILL' && finished.decodeDone - resumed.decodeDone >= 2) {
        expect(t.slice(at)).toContain('DECODE');
      }
    }
    expect(journeys.some((j) => types(j).includes('DECODE'))).toBe(true);
  });

  test('progress never goes backwards and steps carry the batch', () => {
    for (const journey of journeys) {
      const done = journey.events.map((e) => e.progress!.decodeDone);
      expect(done).toEqual([...done].sort((x, y) => x - y));
    }
    const kept = recorder.snapshot().steps;
    expect(kept).toHaveLength(steps);
    expect(kept.some((s) => s.prefillTokens > 0 && s.batchSize > 0)).toBe(true);
    expect(kept.reduce((n, s) => n + s.preempted, 0)).toBeGreaterThan(0);
    expect(Math.max(...kept.map((s) => s.kvUsage))).toBeLessThanOrEqual(1);
  });

  test('a snapshot is plain JSON', () => {
    const snapshot = recorder.snapshot();
    expect(JSON.parse(JSON.stringify(snapshot))).toEqual(snapshot);
  });
});

describe('journeys from both hook APIs', () => {
  test('server and scheduler events of a request join one journey', () => {
    const recorder = new JourneyRecorder();
    const scheduler = tinyScheduler({ numBlocks: 64 });
    scheduler.use(recorder.schedulerPlugin);
    const req = request('cmpl-1');
    recorder.serverPlugin.onArrived!(req, ignoreTrace);
    recorder.serverPlugin.onHandoff!(req, params());
    scheduler.addRequest({
      requestId: 'cmpl-1',
      promptTokenIds: tokens(6),
      sampling: { maxTokens: 3, ignoreEos: true },
    });
    runToEnd(scheduler);
    recorder.serverPlugin.onFirstResponse!(req);
    recorder.serverPlugin.onDeparted!(req, { completionTokens: 3, finishReasons: ['length'] });
    const [journey] = recorder.snapshot().journeys;
    expect(types(journey!)).toEqual([
      'ARRIVED',
      'HANDOFF',
      'QUEUED',
      'SCHEDULED',
      'FIRST_TOKEN',
      'FINISHED',
      'FIRST_RESPONSE',
      'DEPARTED',
    ]);
    expect(journey!.info).toEqual({
      endpoint: 'completions',
      model: 'tiny',
      promptTokens: 10,
      maxTokens: 12,
      stream: true,
      n: 1,
    });
    expect(layoutJourney(journey!, 0)).toMatchObject({ status: 'length', done: true, lanes: 1 });
  });

  test('with n > 1, each choice is a lane of the same journey', () => {
    const recorder = new JourneyRecorder();
    const scheduler = tinyScheduler({ numBlocks: 64 });
    scheduler.use(recorder.schedulerPlugin);
    const req = request('cmpl-2');
    recorder.serverPlugin.onArrived!(req, ignoreTrace);
    recorder.serverPlugin.onHandoff!(req, params(2));
    for (const id of ['cmpl-2-0', 'cmpl-2-1']) {
      scheduler.addRequest({
        requestId: id,
        promptTokenIds: tokens(4),
        sampling: { maxTokens: 2, ignoreEos: true },
      });
    }
    runToEnd(scheduler);
    recorder.serverPlugin.onDeparted!(req, { completionTokens: 4, finishReasons: ['length', 'length'] });
    const { journeys } = recorder.snapshot();
    expect(journeys).toHaveLength(1);
    const finished = journeys[0]!.events.filter((e) => e.type === 'FINISHED');
    expect(finished.map((e) => e.choice)).toEqual([0, 1]);
    expect(layoutJourney(journeys[0]!, 0)).toMatchObject({ lanes: 2, outputTokens: 4, status: 'length' });
  });

  test('a request refused with 400 ends as rejected with its reason; a client that left (499) as aborted', () => {
    const recorder = new JourneyRecorder();
    const [refused, left] = [request('cmpl-3'), request('cmpl-4')];
    for (const req of [refused, left]) recorder.serverPlugin.onArrived!(req, ignoreTrace);
    recorder.serverPlugin.onAborted!(refused, 'max_tokens must be at least 1', 400);
    recorder.serverPlugin.onAborted!(left, 'client disconnected', 499);
    const [journey, gone] = recorder.snapshot().journeys;
    expect(types(journey!)).toEqual(['ARRIVED', 'ABORTED']);
    expect(layoutJourney(journey!, 0)).toMatchObject({
      status: 'rejected',
      reason: 'max_tokens must be at least 1',
      done: true,
    });
    expect(layoutJourney(gone!, 0)).toMatchObject({ status: 'aborted', reason: 'client disconnected' });
  });
});

describe('bounds', () => {
  test('keeps the last maxRequests journeys, forgetting evicted ones even in flight', () => {
    const recorder = new JourneyRecorder({ maxRequests: 5, maxSteps: 3 });
    const scheduler = tinyScheduler({ numBlocks: 16 });
    scheduler.use(recorder.schedulerPlugin);
    for (let i = 0; i < 12; i++) {
      scheduler.addRequest({
        requestId: `r${i}`,
        promptTokenIds: tokens(5),
        sampling: { maxTokens: 3, ignoreEos: true },
      });
    }
    const steps = runToEnd(scheduler);
    const snapshot = recorder.snapshot();
    expect(snapshot.journeys.map((j) => j.id)).toEqual(['r7', 'r8', 'r9', 'r10', 'r11']);
    for (const journey of snapshot.journeys) expect(journey.events.at(-1)!.type).toBe('FINISHED');
    expect(snapshot.steps.map((s) => s.step)).toEqual([steps - 2, steps - 1, steps]);
    expect(recorder.size).toEqual({ journeys: 5, steps: 3, inFlight: 0 });
  });

  test('past maxEventsPerRequest only the endings are kept, and the rest counted', () => {
    const recorder = new JourneyRecorder({ maxEventsPerRequest: 2 });
    const scheduler = tinyScheduler({ numBlocks: 64 });
    scheduler.use(recorder.schedulerPlugin);
    scheduler.addRequest({
      requestId: 'x',
      promptTokenIds: tokens(20),
      sampling: { maxTokens: 3, ignoreEos: true },
    });
    runToEnd(scheduler);
    const [journey] = recorder.snapshot().journeys;
    expect(types(journey!)).toEqual(['QUEUED', 'SCHEDULED', 'FINISHED']);
    expect(journey!.droppedEvents).toBeGreaterThan(0);
  });

  test.each([
    [{ maxRequests: 0 }, /maxRequests must be a positive integer/],
    [{ maxSteps: 2.5 }, /maxSteps must be a positive integer/],
    [{ maxEventsPerRequest: -1 }, /maxEventsPerRequest must be a positive integer/],
  ])('refuses %j', (options, message) => {
    expect(() => new JourneyRecorder(options)).toThrow(message);
  });
});

describe('watching', () => {
  test('changes are reported only while a watcher is set', () => {
    const recorder = new JourneyRecorder();
    const scheduler = tinyScheduler({ numBlocks: 64 });
    scheduler.use(recorder.schedulerPlugin);
    const seen: string[] = [];
    scheduler.addRequest({
      requestId: 'quiet',
      promptTokenIds: tokens(3),
      sampling: { maxTokens: 2, ignoreEos: true },
    });
    runToEnd(scheduler);
    recorder.watch({
      journeyChanged: (j) => seen.push(j.id),
      journeyEvicted: (j) => seen.push(`evicted ${j.id}`),
      stepAdded: (s) => seen.push(`step ${s.step}`),
    });
    expect(recorder.watched).toBe(true);
    scheduler.addRequest({
      requestId: 'watched',
      promptTokenIds: tokens(3),
      sampling: { maxTokens: 1, ignoreEos: true },
    });
    runToEnd(scheduler);
    recorder.watch(undefined);
    scheduler.addRequest({
      requestId: 'quiet-again',
      promptTokenIds: tokens(3),
      sampling: { maxTokens: 1, ignoreEos: true },
    });
    runToEnd(scheduler);
    expect(seen.filter((s) => !s.startsWith('step'))).toEqual(['watched', 'watched', 'watched', 'watched']);
    expect(seen.some((s) => s.startsWith('step'))).toBe(true);
    expect(recorder.watched).toBe(false);
  });
});
