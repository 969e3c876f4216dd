/** Every way a request ends: stop rules, aborts in each state, errors, ignored prompts. */
import { RequestStatus, type SchedulerOptions } from '../src/index.js';
import { createRig, promptRequest, runToCompletion, type Rig } from './support/drive.js';
import { createRecorder, type Recorder } from './support/recorder.js';

function recordedRig(options: Partial<SchedulerOptions> = {}): Rig & { recorder: Recorder } {
  const rig = createRig({ numBlocks: 32, blockSize: 4, maxModelLen: 32, ...options });
  const recorder = createRecorder();
  rig.scheduler.use(recorder.plugin);
  return { ...rig, recorder };
}

const typesOf = (recorder: Recorder, id: string): string[] =>
  recorder.events.get(id)!.map((e) => (e.detail ? `${e.type}:${e.detail}` : e.type));

describe('stop rules through the scheduler', () => {
  /** Runs one request whose sampled tokens are scripted. */
  function scripted(
    tokens: number[],
    sampling: NonNullable<Parameters<Rig['scheduler']['addRequest']>[0]['sampling']>,
  ) {
    const { scheduler } = createRig({ numBlocks: 32, blockSize: 4, maxModelLen: 12 });
    const request = scheduler.addRequest({ requestId: 'r', promptTokenIds: [1, 2], sampling });
    for (const token of tokens) {
      if (!scheduler.hasUnfinishedRequests()) break;
      scheduler.updateFromOutput(scheduler.schedule(), [token]);
    }
    return request;
  }

  test('EOS stops unless ignoreEos; stop ids always stop; minTokens holds both back', () => {
    expect(scripted([5, 0, 5], { eosTokenId: 0 })).toMatchObject({
      status: 'FINISHED_STOPPED',
      outputTokenIds: [5, 0],
    });
    expect(scripted([5, 0, 5], { eosTokenId: 0, ignoreEos: true, maxTokens: 3 }).status).toBe(
      'FINISHED_LENGTH',
    );
    expect(scripted([3, 9], { stopTokenIds: [9], ignoreEos: true }).outputTokenIds).toEqual([3, 9]);
    expect(scripted([0, 9, 0, 4], { eosTokenId: 0, stopTokenIds: [9], minTokens: 3 }).outputTokenIds).toEqual(
      [0, 9, 0],
    );
  });

  test('maxTokens and maxModelLen end with length', () => {
    expect(scripted([4, 4, 4], { maxTokens: 2 })).toMatchObject({
      status: 'FINISHED_LENGTH',
      outputTokenIds: [4, 4],
    });
    const capped = scripted(new Array<number>(20).fill(4), {});
    expect(capped.status).toBe('FINISHED_LENGTH');
    expect(capped.numTokens).toBe(12);
  });
});

describe('aborts', () => {
  test('a waiting request leaves the queue: QUEUED then FINISHED aborted', () => {
    const { scheduler, recorder, step } = recordedRig();
    scheduler.addRequest(promptRequest('a', 4));
    expect(scheduler.finishRequests('a', RequestStatus.FINISHED_ABORTED)).toBe(1);
    expect(scheduler.numWaiting).toBe(0);
    expect(typesOf(recorder, 'a')).toEqual(['queued', 'finished:aborted']);
    expect(step()).toMatchObject({ scheduled: [], finishedIds: ['a'] });
  });

  test('a running request frees its blocks at once and is not scheduled again', () => {
    const { scheduler, recorder, step } = recordedRig();
    scheduler.addRequest(promptRequest('a', 6));
    scheduler.addRequest(promptRequest('b', 2, { sampling: { maxTokens: 2 } }));
    step();
    const aborted = scheduler.getRequest('a')!;
    scheduler.finishRequests(['a', 'zzz'], RequestStatus.FINISHED_ABORTED, 'client went away');
    expect(aborted).toMatchObject({ status: 'FINISHED_ABORTED', finishReasonText: 'client went away' });
    expect(scheduler.kvCache.blockTable('a')).toEqual([]);
    expect(scheduler.numRunning).toBe(1);
    expect(step()).toMatchObject({
      finishedIds: ['a'],
      scheduled: [expect.objectContaining({ requestId: 'b' })],
    });
    expect(typesOf(recorder, 'a')).toEqual(['queued', 'scheduled:FIRST', 'firstToken', 'finished:aborted']);
  });

  test('a preempted request leaves the queue', () => {
    const { scheduler, recorder, step } = recordedRig({ numBlocks: 4, blockSize: 2, maxModelLen: 8 });
    scheduler.addRequest({ requestId: 'A', promptTokenIds: [1, 2], sampling: { maxTokens: 4 } });
    step();
    scheduler.addRequest({ requestId: 'B', promptTokenIds: [3, 4, 5, 6] });
    step();
    expect(step().preemptedIds).toEqual(['B']);
    scheduler.finishRequests('B', RequestStatus.FINISHED_ABORTED);
    expect(scheduler.numWaiting).toBe(0);
    expect(typesOf(recorder, 'B')).toEqual([
      'queued',
      'scheduled:FIRST',
      'firstToken',
      'preempted',
      'finished:aborted',
    ]);
    runToCompletion({ scheduler, step } as Rig);
    expect(scheduler.kvCacheUsage().blocksUsed).toBe(0);
  });

  test('a request aborted while its step is in flight is skipped safely', () => {
    const { scheduler, model, recorder } = recordedRig();
    const a = scheduler.addRequest(promptRequest('a', 5));
    scheduler.addRequest(promptRequest('b', 3, { sampling: { maxTokens: 1 } }));
    const output = scheduler.schedule();
    scheduler.finishRequests('a', RequestStatus.FINISHED_ABORTED);
    const results = scheduler.updateFromOutput(output, model.run(output));
    expect(results.map((r) => r.requestId)).toEqual(['b']);
    expect(a).toMatchObject({ numComputedTokens: 0, outputTokenIds: [] });
    expect(typesOf(recorder, 'a')).toEqual(['queued', 'scheduled:FIRST', 'finished:aborted']);
    expect(scheduler.kvCacheUsage().blocksUsed).toBe(0);
    expect(scheduler.schedule().finishedIds).toEqual(['a', 'b']);
  });

  test('is idempotent: unknown and finished ids are ignored', () => {
    const { scheduler, recorder } = recordedRig();
    scheduler.addRequest(promptRequest('a', 2));
    expect(scheduler.finishRequests(['a', 'a', 'nope'], RequestStatus.FINISHED_ABORTED)).toBe(1);
    expect(scheduler.finishRequests('a', RequestStatus.FINISHED_ERROR)).toBe(0);
    expect(recorder.events.get('a')!.filter((e) => e.type === 'finished')).toHaveLength(1);
  });

  test('errors and external stops (a stop string) carry their status and reason', () => {
    const { scheduler, step } = recordedRig();
    const errored = scheduler.addRequest(promptRequest('e', 2));
    const stopped = scheduler.addRequest(promptRequest('s', 2));
    step();
    scheduler.finishRequests('e', RequestStatus.FINISHED_ERROR, 'NaN in logits');
    scheduler.finishRequests(new Set(['s']), RequestStatus.FINISHED_STOPPED);
    expect(errored).toMatchObject({ status: 'FINISHED_ERROR', finishReasonText: 'NaN in logits' });
    expect(stopped.status).toBe('FINISHED_STOPPED');
  });

  test('rejects a non-terminal status', () => {
    const { scheduler } = recordedRig();
    expect(() => scheduler.finishRequests('a', 'RUNNING' as never)).toThrow(/needs a FINISHED_\* status/);
  });

  test('a finished id can be reused by a new request', () => {
    const { scheduler } = recordedRig();
    scheduler.addRequest(promptRequest('a', 2));
    scheduler.finishRequests('a', RequestStatus.FINISHED_ABORTED);
    expect(scheduler.addRequest(promptRequest('a', 2)).status).toBe('WAITING');
  });
});

describe('ignored prompts', () => {
  test('a prompt with no room for an output token is QUEUED then FINISHED ignored, never scheduled', () => {
    const { scheduler, recorder, step } = recordedRig({ maxModelLen: 8 });
    const request = scheduler.addRequest(promptRequest('long', 8));
    expect(request.status).toBe('FINISHED_IGNORED');
    expect(request.finishReasonText).toMatch(/maxModelLen 8/);
    expect(typesOf(recorder, 'long')).toEqual(['queued', 'finished:ignored']);
    expect(scheduler.hasUnfinishedRequests()).toBe(false);
    expect(step()).toMatchObject({ scheduled: [], finishedIds: ['long'] });
  });

  test('a prompt larger than the whole KV pool is ignored too', () => {
    const { scheduler } = recordedRig({ numBlocks: 2, blockSize: 4, maxModelLen: 100 });
    expect(scheduler.addRequest(promptRequest('big', 8)).finishReasonText).toMatch(
      /whole KV pool \(8 tokens\)/,
    );
    expect(scheduler.addRequest(promptRequest('ok', 7)).status).toBe('WAITING');
  });
});

describe('metrics timestamps', () => {
  test('are recorded on the request with no plugin installed', () => {
    // The scheduler's epoch is performance.timeOrigin's, which may stand a little apart from Date.now().
    const epochNow = () => performance.timeOrigin + performance.now();
    const before = epochNow();
    const { scheduler, step } = createRig({ numBlocks: 8, blockSize: 4, maxModelLen: 32 });
    const request = scheduler.addRequest(promptRequest('a', 3, { sampling: { maxTokens: 2 } }));
    runToCompletion({ scheduler, step } as Rig);
    const t = request.times;
    expect(t.arrivalEpochMs).toBeGreaterThanOrEqual(before);
    expect(t.arrivalEpochMs).toBeLessThan(epochNow() + 1); // the fake clock steps 1 µs a reading
    expect(t.queuedNs).toBeLessThan(t.firstScheduledNs!);
    expect(t.firstScheduledNs).toBeLessThan(t.firstTokenNs!);
    expect(t.firstTokenNs).toBeLessThan(t.lastTokenNs!);
    expect(t.lastTokenNs).toBeLessThanOrEqual(t.finishedNs!);
  });

  test('keep a caller-given arrival time', () => {
    const { scheduler } = createRig({ numBlocks: 8, blockSize: 4, maxModelLen: 32 });
    expect(scheduler.addRequest(promptRequest('a', 3, { arrivalTimeMs: 42 })).times.arrivalEpochMs).toBe(42);
  });
});
