/**
 * Scheduling rules that must hold under either queue policy: one case function,
 * run once per policy (as Hono runs one router test suite per router).
 */
import { slotMapping, type SchedulerOptions, type SchedulingPolicy } from '../src/index.js';
import { createRig, promptRequest, runToCompletion } from './support/drive.js';

function schedulingRules(policy: SchedulingPolicy): void {
  const rig = (options: Partial<SchedulerOptions> = {}) =>
    createRig({ policy, numBlocks: 64, blockSize: 4, maxModelLen: 64, ...options });

  test('a lone request: whole prompt in one step, then one token per step until maxTokens', () => {
    const { scheduler, step } = rig();
    scheduler.addRequest(promptRequest('a', 6, { sampling: { maxTokens: 3 } }));
    const first = step();
    expect(first.scheduled).toHaveLength(1);
    expect(first.scheduled[0]).toMatchObject({
      requestId: 'a',
      isNew: true,
      kind: 'FIRST',
      startPosition: 0,
      numTokens: 6,
      isPrefill: true,
      samplesToken: true,
    });
    expect(first).toMatchObject({
      step: 1,
      totalNumScheduledTokens: 6,
      numPrefillTokens: 6,
      numDecodeTokens: 0,
    });
    const second = step();
    expect(second.scheduled[0]).toMatchObject({
      isNew: false,
      kind: null,
      startPosition: 6,
      numTokens: 1,
      isPrefill: false,
    });
    expect(second.scheduled[0]!.tokenIds).toEqual([scheduler.getRequest('a')!.outputTokenIds[0]]);
    expect(second).toMatchObject({ step: 2, numPrefillTokens: 0, numDecodeTokens: 1 });
    step();
    expect(scheduler.hasUnfinishedRequests()).toBe(false);
    expect(step()).toMatchObject({ scheduled: [], finishedIds: ['a'], totalNumScheduledTokens: 0 });
  });

  test('updateFromOutput returns the new tokens and the finish', () => {
    const { scheduler, model } = rig();
    scheduler.addRequest(promptRequest('a', 3, { sampling: { maxTokens: 2 } }));
    let output = scheduler.schedule();
    let tokens = model.run(output);
    expect(scheduler.updateFromOutput(output, tokens)).toEqual([
      { requestId: 'a', newTokenIds: [tokens[0]], finished: false, status: 'RUNNING', finishReason: null },
    ]);
    output = scheduler.schedule();
    tokens = model.run(output);
    expect(scheduler.updateFromOutput(output, tokens)).toEqual([
      {
        requestId: 'a',
        newTokenIds: [tokens[0]],
        finished: true,
        status: 'FINISHED_LENGTH',
        finishReason: 'length',
      },
    ]);
  });

  test('chunked prefill splits a prompt across steps and samples only after the last chunk', () => {
    const { scheduler, step } = rig({ maxNumBatchedTokens: 4 });
    scheduler.addRequest(promptRequest('a', 10, { sampling: { maxTokens: 1 } }));
    const chunks = [step(), step(), step()].map((o) => o.scheduled[0]!);
    expect(chunks.map((c) => [c.startPosition, c.numTokens, c.samplesToken, c.isPrefill])).toEqual([
      [0, 4, false, true],
      [4, 4, false, true],
      [8, 2, true, true],
    ]);
    expect(chunks.map((c) => c.kind)).toEqual(['FIRST', null, null]);
    expect(chunks[1]!.tokenIds).toEqual(promptRequest('a', 10).promptTokenIds.slice(4, 8));
    expect(scheduler.hasUnfinishedRequests()).toBe(false);
  });

  test('the long-prefill threshold caps each chunk and leaves budget for others', () => {
    const { scheduler, step } = rig({ longPrefillTokenThreshold: 3, maxNumBatchedTokens: 100 });
    scheduler.addRequest(promptRequest('long', 8));
    scheduler.addRequest(promptRequest('short', 2));
    const first = step();
    expect(first.scheduled.map((e) => [e.requestId, e.numTokens])).toEqual([
      ['long', 3],
      ['short', 2],
    ]);
    expect(step().scheduled.map((e) => [e.requestId, e.numTokens])).toEqual([
      ['long', 3],
      ['short', 1],
    ]);
    expect(step().scheduled[0]).toMatchObject({ requestId: 'long', numTokens: 2, samplesToken: true });
  });

  test('the token budget is never exceeded and running requests are served first', () => {
    const { scheduler, step } = rig({ maxNumBatchedTokens: 5 });
    for (const id of ['a', 'b', 'c']) scheduler.addRequest(promptRequest(id, 2));
    expect(step().scheduled.map((e) => [e.requestId, e.numTokens])).toEqual([
      ['a', 2],
      ['b', 2],
      ['c', 1],
    ]);
    scheduler.addRequest(promptRequest('d', 4));
    const next = step();
    expect(next.scheduled.map((e) => [e.requestId, e.numTokens])).toEqual([
      ['a', 1],
      ['b', 1],
      ['c', 1],
      ['d', 2],
    ]);
    expect(next.totalNumScheduledTokens).toBe(5);
  });

  test('at most maxNumSeqs requests run at once', () => {
    const { scheduler, step } = rig({ maxNumSeqs: 2 });
    for (const id of ['a', 'b', 'c'])
      scheduler.addRequest(promptRequest(id, 2, { sampling: { maxTokens: 2 } }));
    expect(step().scheduled.map((e) => e.requestId)).toEqual(['a', 'b']);
    expect([scheduler.numRunning, scheduler.numWaiting]).toEqual([2, 1]);
    step();
    expect(step().scheduled.map((e) => e.requestId)).toEqual(['c']);
  });

  test('without chunked prefill a prompt that does not fit the remaining budget waits whole', () => {
    const { scheduler, step } = rig({
      enableChunkedPrefill: false,
      maxNumBatchedTokens: 64,
      maxModelLen: 64,
    });
    scheduler.addRequest(promptRequest('a', 40, { sampling: { maxTokens: 3 } }));
    scheduler.addRequest(promptRequest('b', 30));
    scheduler.addRequest(promptRequest('c', 2));
    expect(step().scheduled.map((e) => [e.requestId, e.numTokens])).toEqual([['a', 40]]);
    expect(step().scheduled.map((e) => [e.requestId, e.numTokens])).toEqual([
      ['a', 1],
      ['b', 30],
      ['c', 2],
    ]);
  });

  test('a shared prefix is served from the cache: fewer tokens computed, same outputs', () => {
    const prefix = Array.from({ length: 8 }, (_, i) => 500 + i);
    const cached = rig();
    const uncached = rig({ enablePrefixCaching: false });
    for (const { scheduler } of [cached, uncached]) {
      scheduler.addRequest({ requestId: 'a', promptTokenIds: [...prefix, 1], sampling: { maxTokens: 4 } });
    }
    runToCompletion(cached);
    runToCompletion(uncached);
    for (const { scheduler } of [cached, uncached]) {
      scheduler.addRequest({ requestId: 'b', promptTokenIds: [...prefix, 2, 3], sampling: { maxTokens: 4 } });
    }
    expect(cached.step().scheduled[0]).toMatchObject({ startPosition: 8, numTokens: 2 });
    expect(uncached.step().scheduled[0]).toMatchObject({ startPosition: 0, numTokens: 10 });
    expect(cached.scheduler.getRequest('b')!.numCachedTokens).toBe(8);
    expect(cached.scheduler.kvCacheUsage()).toMatchObject({ prefixCacheQueries: 9 + 10, prefixCacheHits: 8 });
    runToCompletion(cached);
    runToCompletion(uncached);
  });

  test('a request that skips the prefix cache computes its whole prompt; its blocks still fill the cache', () => {
    const { scheduler, step } = rig();
    const promptTokenIds = [9, 8, 7, 6, 5, 4, 3, 2, 1];
    scheduler.addRequest({ requestId: 'a', promptTokenIds, sampling: { maxTokens: 1 } });
    step();
    scheduler.addRequest({ requestId: 'b', promptTokenIds, skipPrefixCache: true });
    expect(scheduler.getRequest('b')!.skipPrefixCache).toBe(true);
    expect(step().scheduled[0]).toMatchObject({ requestId: 'b', startPosition: 0, numTokens: 9 });
    scheduler.addRequest({ requestId: 'c', promptTokenIds });
    expect(step().scheduled.find((e) => e.requestId === 'c')).toMatchObject({
      startPosition: 8,
      numTokens: 1,
    });
  });

  test('an identical prompt is served from the cache up to, never including, its last token', () => {
    const { scheduler, step } = rig();
    const promptTokenIds = [9, 8, 7, 6, 5, 4, 3, 2];
    scheduler.addRequest({ requestId: 'a', promptTokenIds, sampling: { maxTokens: 1 } });
    step();
    scheduler.addRequest({ requestId: 'b', promptTokenIds });
    expect(step().scheduled[0]).toMatchObject({ requestId: 'b', startPosition: 4, numTokens: 4 });
  });

  test('blockIds is the whole block table and slotMapping follows it', () => {
    const { scheduler, step } = rig({ maxNumBatchedTokens: 6 });
    scheduler.addRequest(promptRequest('a', 10));
    step();
    const entry = step().scheduled[0]!;
    expect(entry.blockIds).toBe(scheduler.kvCache.blockTable('a'));
    expect(entry.blockIds).toHaveLength(3);
    const [, b1, b2] = entry.blockIds as [number, number, number];
    expect(slotMapping(entry, 4)).toEqual([b1 * 4 + 2, b1 * 4 + 3, b2 * 4, b2 * 4 + 1]);
  });

  test('misuse fails loudly before anything changes', () => {
    const { scheduler, model } = rig();
    scheduler.addRequest(promptRequest('a', 3));
    expect(() => scheduler.addRequest(promptRequest('a', 3))).toThrow(/already queued or running/);
    const output = scheduler.schedule();
    expect(() => scheduler.schedule()).toThrow(/before updateFromOutput\(\) for step 1/);
    expect(() => scheduler.updateFromOutput({ ...output, step: 9 }, [1])).toThrow(/got step 9/);
    expect(() => scheduler.updateFromOutput(output, [])).toThrow(/got 0 sampled tokens for 1/);
    expect(() => scheduler.updateFromOutput(output, [-1])).toThrow(
      /sampledTokenIds\[0\] \(-1\) is not a token id/,
    );
    expect(scheduler.getRequest('a')!.numComputedTokens).toBe(0);
    scheduler.updateFromOutput(output, model.run(output));
    expect(scheduler.getRequest('a')!.numComputedTokens).toBe(3);
  });

  test('KV usage figures follow allocation and release', () => {
    const { scheduler, step } = rig({ numBlocks: 10 });
    scheduler.addRequest(promptRequest('a', 9, { sampling: { maxTokens: 1 } }));
    expect(scheduler.kvCacheUsage()).toMatchObject({
      blocksUsed: 0,
      blocksFree: 10,
      blocksTotal: 10,
      usage: 0,
    });
    const output = scheduler.schedule();
    expect(scheduler.kvCacheUsage()).toMatchObject({ blocksUsed: 3, blocksFree: 7, usage: 0.3 });
    scheduler.updateFromOutput(output, [1]);
    expect(scheduler.kvCacheUsage()).toMatchObject({ blocksUsed: 0, blocksFree: 10 });
    step();
  });
}

describe.each<SchedulingPolicy>(['fcfs', 'priority'])('scheduling rules (%s)', (policy) => {
  schedulingRules(policy);
});
