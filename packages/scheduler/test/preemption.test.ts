/** Preemption by recompute: victim choice per policy, requeueing, resume, and outputs unchanged. */
import type { SchedulerOptions, SchedulingPolicy } from '../src/index.js';
import { createRig, runToCompletion, type Rig } from './support/drive.js';
import { createRecorder } from './support/recorder.js';

/**
 * A tiny pool (4 blocks of 2 tokens). A (priority 1) starts alone; B (priority 0)
 * joins at step 2. At step 3, A's next token fits its blocks but B needs a third
 * block and none is free, so someone must be preempted.
 */
function contention(policy: SchedulingPolicy, extra: Partial<SchedulerOptions> = {}): Rig {
  const rig = createRig({ policy, numBlocks: 4, blockSize: 2, maxModelLen: 8, ...extra });
  rig.scheduler.addRequest({
    requestId: 'A',
    promptTokenIds: [11, 12],
    priority: 1,
    sampling: { maxTokens: 4 },
  });
  rig.step();
  rig.scheduler.addRequest({
    requestId: 'B',
    promptTokenIds: [21, 22, 23, 24],
    priority: 0,
    sampling: { maxTokens: 3 },
  });
  rig.step();
  return rig;
}

/** Outputs of the same requests on a pool too big to preempt. */
function referenceOutputs(): Map<string, readonly number[]> {
  const rig = createRig({ numBlocks: 64, blockSize: 2, maxModelLen: 8, enablePrefixCaching: false });
  rig.scheduler.addRequest({ requestId: 'A', promptTokenIds: [11, 12], sampling: { maxTokens: 4 } });
  rig.scheduler.addRequest({ requestId: 'B', promptTokenIds: [21, 22, 23, 24], sampling: { maxTokens: 3 } });
  const a = rig.scheduler.getRequest('A')!;
  const b = rig.scheduler.getRequest('B')!;
  runToCompletion(rig);
  return new Map([
    ['A', a.outputTokenIds],
    ['B', b.outputTokenIds],
  ]);
}

describe('fcfs preemption', () => {
  test('the most recently admitted request is the victim, even when it is the one asking', () => {
    const rig = contention('fcfs');
    const b = rig.scheduler.getRequest('B')!;
    const output = rig.step();
    expect(output.scheduled.map((e) => e.requestId)).toEqual(['A']);
    expect(output.preemptedIds).toEqual(['B']);
    expect(b).toMatchObject({ status: 'PREEMPTED', numComputedTokens: 0, numPreemptions: 1 });
    expect(rig.scheduler.kvCache.blockTable('B')).toEqual([]);
    expect([rig.scheduler.numRunning, rig.scheduler.numWaiting]).toEqual([1, 1]);
  });

  test('no request is admitted in a step that preempted; the victim goes back to the front', () => {
    const rig = contention('fcfs');
    rig.scheduler.addRequest({ requestId: 'C', promptTokenIds: [31], sampling: { maxTokens: 1 } });
    expect(rig.step().scheduled.map((e) => e.requestId)).toEqual(['A']);
    const admitted: string[] = [];
    for (const output of runToCompletion(rig))
      admitted.push(...output.scheduled.filter((e) => e.isNew).map((e) => e.requestId));
    expect(admitted).toEqual(['B', 'C']);
  });

  test('a resumed request recomputes prompt and outputs (kind RESUME) and produces the same tokens', () => {
    const rig = contention('fcfs');
    const b = rig.scheduler.getRequest('B')!;
    const a = rig.scheduler.getRequest('A')!;
    const outputs = runToCompletion(rig);
    const resume = outputs.flatMap((o) => o.scheduled).find((e) => e.requestId === 'B' && e.isNew)!;
    expect(resume.kind).toBe('RESUME');
    expect(resume.isPrefill).toBe(true);
    expect(resume.samplesToken).toBe(true);
    expect(resume.tokenIds).toEqual(
      b.allTokenIds.slice(resume.startPosition, resume.startPosition + resume.numTokens),
    );
    expect(resume.startPosition + resume.numTokens).toBe(5); // 4 prompt tokens + 1 output so far
    const reference = referenceOutputs();
    expect(a.outputTokenIds).toEqual(reference.get('A'));
    expect(b.outputTokenIds).toEqual(reference.get('B'));
  });

  test('keeps preempting, newest first, until the allocation fits', () => {
    const rig = createRig({
      numBlocks: 4,
      blockSize: 2,
      maxModelLen: 8,
      maxNumBatchedTokens: 6,
      longPrefillTokenThreshold: 4,
    });
    rig.scheduler.addRequest({
      requestId: 'A',
      promptTokenIds: [1, 2, 3, 4, 5, 6, 7],
      sampling: { maxTokens: 1 },
    });
    rig.scheduler.addRequest({ requestId: 'B', promptTokenIds: [8], sampling: { maxTokens: 2 } });
    rig.scheduler.addRequest({ requestId: 'C', promptTokenIds: [9], sampling: { maxTokens: 2 } });
    expect(rig.step().scheduled.map((e) => [e.requestId, e.numTokens])).toEqual([
      ['A', 4],
      ['B', 1],
      ['C', 1],
    ]);
    const output = rig.step();
    expect(output.preemptedIds).toEqual(['C', 'B']);
    expect(output.scheduled.map((e) => [e.requestId, e.numTokens])).toEqual([['A', 3]]);
    const resumed = runToCompletion(rig).flatMap((o) => o.scheduled.filter((e) => e.kind === 'RESUME'));
    expect(resumed.map((e) => e.requestId)).toEqual(['B', 'C']);
  });
});

describe('priority preemption', () => {
  test('the lowest-priority request is the victim, and its tokens already planned this step are refunded', () => {
    const rig = contention('priority');
    const output = rig.step();
    expect(output.preemptedIds).toEqual(['A']);
    expect(output.scheduled.map((e) => [e.requestId, e.numTokens])).toEqual([['B', 1]]);
    expect(output.totalNumScheduledTokens).toBe(1);
    expect(output.numDecodeTokens).toBe(1);
    expect(rig.scheduler.getRequest('A')).toMatchObject({ status: 'PREEMPTED', numPreemptions: 1 });
  });

  test('outputs are the same as without preemption', () => {
    const rig = contention('priority');
    const a = rig.scheduler.getRequest('A')!;
    const b = rig.scheduler.getRequest('B')!;
    runToCompletion(rig);
    const reference = referenceOutputs();
    expect(a.outputTokenIds).toEqual(reference.get('A'));
    expect(b.outputTokenIds).toEqual(reference.get('B'));
  });
});

describe('priority preemption and admission', () => {
  test('a step that preempted admits no one, even a waiting request that would now fit', () => {
    const rig = createRig({ policy: 'priority', numBlocks: 3, blockSize: 2, maxModelLen: 6 });
    rig.scheduler.addRequest({
      requestId: 'A',
      promptTokenIds: [1],
      priority: 0,
      sampling: { maxTokens: 4 },
    });
    rig.scheduler.addRequest({
      requestId: 'V',
      promptTokenIds: [2, 3, 4],
      priority: 5,
      sampling: { maxTokens: 3 },
    });
    rig.step();
    rig.scheduler.addRequest({
      requestId: 'W',
      promptTokenIds: [5],
      priority: 1,
      sampling: { maxTokens: 1 },
    });
    expect(rig.step().scheduled.map((e) => e.requestId)).toEqual(['A', 'V']);
    const output = rig.step();
    expect(output.preemptedIds).toEqual(['V']);
    expect(output.scheduled.map((e) => e.requestId)).toEqual(['A']);
    expect(rig.scheduler.kvCacheUsage().blocksFree).toBe(1);
    expect(rig.step().scheduled.map((e) => e.requestId)).toEqual(['A', 'W']);
  });

  test('requests after the one that preempted are still served in the same step', () => {
    const rig = createRig({ policy: 'priority', numBlocks: 5, blockSize: 2, maxModelLen: 8 });
    rig.scheduler.addRequest({
      requestId: 'A',
      promptTokenIds: [11, 12],
      priority: 1,
      sampling: { maxTokens: 4 },
    });
    rig.step();
    rig.scheduler.addRequest({
      requestId: 'B',
      promptTokenIds: [21, 22, 23, 24],
      sampling: { maxTokens: 3 },
    });
    rig.scheduler.addRequest({ requestId: 'C', promptTokenIds: [31], sampling: { maxTokens: 3 } });
    rig.step();
    const output = rig.step();
    expect(output.preemptedIds).toEqual(['A']);
    expect(output.scheduled.map((e) => e.requestId)).toEqual(['B', 'C']);
  });
});

describe('progress across preemption', () => {
  test('prefill progress is a high-water mark: a resume never reports less than before', () => {
    const rig = contention('fcfs', { enablePrefixCaching: false });
    const recorder = createRecorder();
    rig.scheduler.use(recorder.plugin);
    runToCompletion(rig);
    const events = recorder.events.get('B')!;
    expect(events.map((e) => e.type + (e.detail ? ':' + e.detail : ''))).toEqual([
      'preempted',
      'scheduled:RESUME',
      'finished:length',
    ]);
    expect(events.map((e) => [e.progress.phase, e.progress.prefillDone, e.progress.decodeDone])).toEqual([
      ['WAITING', 4, 1],
      ['PREFILL', 4, 1],
      ['DECODE', 4, 3],
    ]);
    expect(rig.scheduler.kvCacheUsage().blocksUsed).toBe(0);
  });
});
