/** What plugins receive (progress, step events, snapshots), re-entrant calls from hooks, read-only typing. */
import { performanceClock, RequestStatus, type SchedulerPlugin } from '../src/index.js';
import { createRig, promptRequest, runToCompletion, steppingClock } from './support/drive.js';
import { createRecorder, lifecycleViolation } from './support/recorder.js';

describe('event content', () => {
  test('progress snapshots carry step, clock readings and phase', () => {
    const rig = createRig({
      numBlocks: 16,
      blockSize: 4,
      maxModelLen: 32,
      maxNumBatchedTokens: 4,
      clock: performanceClock,
    });
    const recorder = createRecorder();
    rig.scheduler.use(recorder.plugin);
    rig.scheduler.addRequest(promptRequest('a', 6, { sampling: { maxTokens: 2 } }));
    runToCompletion(rig);
    const events = recorder.events.get('a')!;
    expect(
      events.map((e) => [
        e.type,
        e.progress.step,
        e.progress.phase,
        e.progress.prefillDone,
        e.progress.decodeDone,
      ]),
    ).toEqual([
      ['queued', 0, 'WAITING', 0, 0],
      ['scheduled', 1, 'PREFILL', 0, 0],
      ['firstToken', 2, 'DECODE', 6, 1],
      ['finished', 3, 'DECODE', 6, 2],
    ]);
    for (const e of events) {
      expect(e.progress).toMatchObject({ prefillTotal: 6, decodeMax: 2, numPreemptions: 0 });
      // The default clock's epoch is performance.timeOrigin exactly, the one OpenTelemetry and the
      // server use: no second wall-clock reading that a pause could put out of step.
      expect(e.progress.epochMs).toBe(performance.timeOrigin + e.progress.monotonicNs / 1e6);
    }
    const ns = events.map((e) => e.progress.monotonicNs);
    expect(ns).toEqual([...ns].sort((x, y) => x - y));
  });

  test('step events report batch, KV and prefix-cache figures', () => {
    const rig = createRig({ numBlocks: 10, blockSize: 4, maxModelLen: 32, clock: steppingClock() });
    const recorder = createRecorder();
    rig.scheduler.use(recorder.plugin);
    const prompt = Array.from({ length: 9 }, (_, i) => i + 1);
    rig.scheduler.addRequest({ requestId: 'a', promptTokenIds: prompt, sampling: { maxTokens: 2 } });
    rig.step();
    rig.scheduler.addRequest({ requestId: 'b', promptTokenIds: prompt, sampling: { maxTokens: 1 } });
    rig.step();
    const [first, second] = recorder.steps;
    expect(first).toMatchObject({
      step: 1,
      numRunning: 1,
      numWaiting: 0,
      numScheduledRequests: 1,
      numScheduledTokens: 9,
      numPrefillTokens: 9,
      numDecodeTokens: 0,
      numPreempted: 0,
      numFinished: 0,
      kvBlocksUsed: 3,
      kvBlocksFree: 7,
      kvUsage: 0.3,
      prefixCacheQueries: 9,
      prefixCacheHits: 0,
      stepPrefixCacheQueries: 9,
      stepPrefixCacheHits: 0,
    });
    expect(first!.durationNs).toBe(first!.endNs - first!.startNs);
    expect(first!.durationNs).toBeGreaterThan(0);
    expect(second).toMatchObject({
      step: 2,
      numRunning: 0,
      numScheduledTokens: 2,
      numPrefillTokens: 1,
      numDecodeTokens: 1,
      numFinished: 2,
      kvBlocksUsed: 0,
      prefixCacheQueries: 18,
      prefixCacheHits: 8,
      stepPrefixCacheQueries: 9,
      stepPrefixCacheHits: 8,
    });
  });

  test('request snapshots list running then waiting requests', () => {
    const rig = createRig({ numBlocks: 10, blockSize: 4, maxModelLen: 32, maxNumSeqs: 1 });
    let listed: unknown;
    rig.scheduler.use({ onStep: (step) => (listed = step.requestSnapshots()) });
    rig.scheduler.addRequest(promptRequest('a', 5));
    rig.scheduler.addRequest(promptRequest('b', 3, { sampling: { maxTokens: 7 } }));
    rig.step();
    expect(listed).toEqual([
      {
        requestId: 'a',
        status: 'RUNNING',
        phase: 'DECODE',
        prefillDone: 5,
        prefillTotal: 5,
        decodeDone: 1,
        decodeMax: 27,
        numPreemptions: 0,
        blocksHeld: 2,
        tokensCached: 0,
      },
      {
        requestId: 'b',
        status: 'WAITING',
        phase: 'WAITING',
        prefillDone: 0,
        prefillTotal: 3,
        decodeDone: 0,
        decodeMax: 7,
        numPreemptions: 0,
        blocksHeld: 0,
        tokensCached: 0,
      },
    ]);
  });
});

describe('re-entrancy', () => {
  test('a plugin may abort requests from its hooks; order stays valid and blocks are freed', () => {
    const rig = createRig({ numBlocks: 16, blockSize: 2, maxModelLen: 16 });
    const recorder = createRecorder();
    rig.scheduler.use({
      onScheduled: (request) => {
        if (request.requestId === 'cut-at-schedule')
          rig.scheduler.finishRequests(request.requestId, RequestStatus.FINISHED_ABORTED);
      },
      onFirstToken: (request) => {
        if (request.requestId === 'cut-at-token')
          rig.scheduler.finishRequests(request.requestId, RequestStatus.FINISHED_ABORTED);
      },
    });
    rig.scheduler.use(recorder.plugin);
    for (const id of ['cut-at-schedule', 'cut-at-token', 'normal']) {
      rig.scheduler.addRequest(promptRequest(id, 3, { sampling: { maxTokens: 3 } }));
    }
    runToCompletion(rig);
    expect(recorder.log.filter((line) => line.startsWith('cut-at-'))).toEqual([
      'cut-at-schedule:queued',
      'cut-at-token:queued',
      'cut-at-schedule:scheduled:FIRST',
      'cut-at-schedule:finished:aborted',
      'cut-at-token:scheduled:FIRST',
      'cut-at-token:firstToken',
      'cut-at-token:finished:aborted',
    ]);
    for (const events of recorder.events.values()) expect(lifecycleViolation(events)).toBeNull();
    expect(rig.scheduler.kvCacheUsage().blocksUsed).toBe(0);
  });
});

describe('re-entrant additions', () => {
  test('a plugin may add a follow-up request when one finishes', () => {
    const rig = createRig({ numBlocks: 16, blockSize: 2, maxModelLen: 16 });
    const recorder = createRecorder();
    rig.scheduler.use({
      onFinished: (request) => {
        if (request.requestId === 'first')
          rig.scheduler.addRequest(promptRequest('follow-up', 3, { sampling: { maxTokens: 2 } }));
      },
    });
    rig.scheduler.use(recorder.plugin);
    rig.scheduler.addRequest(promptRequest('first', 3, { sampling: { maxTokens: 2 } }));
    runToCompletion(rig);
    expect(recorder.log).toEqual([
      'first:queued',
      'first:scheduled:FIRST',
      'first:firstToken',
      'first:finished:length',
      'follow-up:queued',
      'follow-up:scheduled:FIRST',
      'follow-up:firstToken',
      'follow-up:finished:length',
    ]);
  });
});

describe('read-only views', () => {
  test('plugins cannot mutate what they receive (checked by the type checker)', () => {
    const plugin: SchedulerPlugin = {
      onQueued(request, progress) {
        // @ts-expect-error counters are read-only to plugins
        request.numComputedTokens = 0;
        // @ts-expect-error token arrays are read-only to plugins
        request.outputTokenIds.push(1);
        // @ts-expect-error timestamps are read-only to plugins
        request.times.finishedNs = 0;
        // @ts-expect-error snapshots are read-only
        progress.prefillDone = 0;
      },
    };
    expect(typeof plugin.onQueued).toBe('function');
  });
});
