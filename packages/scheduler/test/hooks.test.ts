/** The plugin API: subscription, isolation, zero cost without subscribers, event content and order. */
import { jest } from '@jest/globals';
import { HookRegistry, RequestStatus, Scheduler, type SchedulerPlugin } from '../src/index.js';
import { createRig, promptRequest, runToCompletion, steppingClock } from './support/drive.js';
import { createRecorder, lifecycleViolation } from './support/recorder.js';

const flags = (registry: HookRegistry) => [
  registry.hasQueued,
  registry.hasScheduled,
  registry.hasFirstToken,
  registry.hasPreempted,
  registry.hasFinished,
  registry.hasStep,
];

describe('HookRegistry', () => {
  test('keeps one flag per event, set while someone listens', () => {
    const registry = new HookRegistry();
    expect(flags(registry)).toEqual([false, false, false, false, false, false]);
    const offA = registry.use({ onQueued() {}, onStep() {} });
    const offB = registry.use({ onQueued() {}, onFinished() {} });
    expect(flags(registry)).toEqual([true, false, false, false, true, true]);
    expect(registry.size).toBe(2);
    offA();
    expect(flags(registry)).toEqual([true, false, false, false, true, false]);
    offB();
    offB();
    expect(flags(registry)).toEqual([false, false, false, false, false, false]);
    expect(registry.size).toBe(0);
  });

  test('rejects a non-object plugin', () => {
    expect(() => new HookRegistry().use(null as never)).toThrow(/must be an object/);
  });

  test('calls plugins as methods, in subscription order', () => {
    const registry = new HookRegistry();
    const calls: string[] = [];
    for (const name of ['first', 'second']) {
      registry.use({
        name,
        onStep() {
          calls.push(this.name!);
        },
      });
    }
    registry.step({} as never);
    expect(calls).toEqual(['first', 'second']);
  });

  test('an event emitted from inside a hook reaches every plugin after the current event', () => {
    const registry = new HookRegistry();
    const seen: string[] = [];
    registry.use({
      onQueued: (request) => {
        seen.push('1:queued');
        registry.finished(request, 'aborted', {} as never);
      },
      onFinished: () => seen.push('1:finished'),
    });
    registry.use({ onQueued: () => seen.push('2:queued'), onFinished: () => seen.push('2:finished') });
    registry.queued({} as never, {} as never);
    expect(seen).toEqual(['1:queued', '2:queued', '1:finished', '2:finished']);
  });

  test('an unsubscribe during an emission does not skip the others in it', () => {
    const registry = new HookRegistry();
    const calls: string[] = [];
    const off = registry.use({ onStep: () => (calls.push('a'), off()) });
    registry.use({ onStep: () => calls.push('b') });
    registry.step({} as never);
    registry.step({} as never);
    expect(calls).toEqual(['a', 'b', 'b']);
  });
});

describe('subscriber isolation', () => {
  test('a throwing plugin is reported once, never breaks scheduling, and others still hear everything', () => {
    const warn = jest.fn();
    const thrower: SchedulerPlugin = new Proxy(
      { name: 'broken' },
      {
        get: (target, key) =>
          key === 'name'
            ? target.name
            : () => {
                throw new Error(`boom in ${String(key)}`);
              },
      },
    );
    const run = (withThrower: boolean) => {
      const rig = createRig({ numBlocks: 6, blockSize: 2, maxModelLen: 10, logger: { warn } });
      if (withThrower) rig.scheduler.use(thrower);
      const recorder = createRecorder();
      rig.scheduler.use(recorder.plugin);
      for (let i = 0; i < 4; i++)
        rig.scheduler.addRequest(promptRequest(`r${i}`, 3, { sampling: { maxTokens: 4 } }));
      runToCompletion(rig);
      return recorder.log;
    };
    const clean = run(false);
    expect(run(true)).toEqual(clean);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]![0]).toMatch(/plugin "broken" threw in onQueued/);
    expect(warn.mock.calls[0]![1]).toEqual(new Error('boom in onQueued'));
  });

  test('reports to console.warn by default, once per plugin', () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const scheduler = new Scheduler({ numBlocks: 4, maxModelLen: 32 });
      scheduler.use({
        onQueued: () => {
          throw new Error('x');
        },
      });
      scheduler.use({
        name: 'other',
        onQueued: () => {
          throw new Error('y');
        },
      });
      scheduler.addRequest(promptRequest('a', 2));
      scheduler.addRequest(promptRequest('b', 2));
      expect(warn.mock.calls.map((call) => call[0])).toEqual([
        expect.stringMatching(/plugin "anonymous" threw in onQueued/),
        expect.stringMatching(/plugin "other" threw in onQueued/),
      ]);
    } finally {
      warn.mockRestore();
    }
  });
});

describe('zero cost without subscribers', () => {
  test('after subscribing, the registry never looks at a plugin again, only calls what it implements', () => {
    const touched = new Set<PropertyKey>();
    let queued = 0;
    const plugin = new Proxy<SchedulerPlugin>(
      { onQueued: () => void queued++ },
      { get: (target, key) => (touched.add(key), Reflect.get(target, key)) },
    );
    const rig = createRig({ numBlocks: 4, blockSize: 2, maxModelLen: 8 });
    rig.scheduler.use(plugin);
    touched.clear();
    for (let i = 0; i < 3; i++)
      rig.scheduler.addRequest(promptRequest(`r${i}`, 3, { sampling: { maxTokens: 3 } }));
    runToCompletion(rig);
    expect([...touched]).toEqual([]);
    expect(queued).toBe(3);
  });

  test('step snapshots are computed only when a subscriber asks, and once per step', () => {
    const rig = createRig({ numBlocks: 16, blockSize: 4, maxModelLen: 32 });
    const snapshots = jest.spyOn(rig.scheduler, 'requestSnapshots');
    let ask = false;
    rig.scheduler.use({
      onStep(step) {
        if (ask) expect(step.requestSnapshots()).toBe(step.requestSnapshots());
      },
    });
    rig.scheduler.addRequest(promptRequest('a', 3, { sampling: { maxTokens: 3 } }));
    rig.step();
    expect(snapshots).not.toHaveBeenCalled();
    ask = true;
    rig.step();
    expect(snapshots).toHaveBeenCalledTimes(1);
  });
});

describe('event content', () => {
  test('progress snapshots carry step, clock readings and phase', () => {
    const rig = createRig({ numBlocks: 16, blockSize: 4, maxModelLen: 32, maxNumBatchedTokens: 4 });
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
      expect(e.progress.epochMs).toBeGreaterThan(1.6e12);
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
