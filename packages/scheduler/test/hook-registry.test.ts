/** The hook registry: subscription, per-event flags, isolation of failing plugins, zero cost without subscribers. */
import { jest } from '@jest/globals';
import { HookRegistry, Scheduler, type SchedulerPlugin } from '../src/index.js';
import { createRig, promptRequest, runToCompletion } from './support/drive.js';
import { createRecorder } from './support/recorder.js';

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
