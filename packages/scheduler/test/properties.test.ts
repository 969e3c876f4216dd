/**
 * Property-based tests over random workloads: random prompts with shared
 * prefixes, random limits, aborts at random steps (queued or in flight), tiny
 * KV pools that force preemption, chunked prefill and prefix caching on and
 * off, both policies. A deterministic fake model reads every token back through
 * the paged KV memory, so scheduling mistakes show up as changed outputs.
 */
import fc from 'fast-check';
import { finishKindOf, isFinishedStatus, type Scheduler, type SchedulerOutput } from '../src/index.js';
import { lifecycleViolation } from './support/recorder.js';
import { referenceRun, runWorkload, workloadArbitrary } from './support/workload.js';

/** Batch limits: token budget, sequence count, threshold, and entries consistent with their requests. */
function checkBatch(scheduler: Scheduler, output: SchedulerOutput): void {
  const { config } = scheduler;
  let total = 0;
  const ids = new Set<string>();
  for (const entry of output.scheduled) {
    const { request } = entry;
    expect(entry.numTokens).toBeGreaterThan(0);
    expect(entry.tokenIds).toEqual(
      request.allTokenIds.slice(entry.startPosition, entry.startPosition + entry.numTokens),
    );
    expect(entry.startPosition).toBe(request.numComputedTokens);
    expect(entry.blockIds.length * config.blockSize).toBeGreaterThanOrEqual(
      entry.startPosition + entry.numTokens,
    );
    expect(entry.samplesToken).toBe(entry.startPosition + entry.numTokens === request.numTokens);
    if (config.longPrefillTokenThreshold > 0)
      expect(entry.numTokens).toBeLessThanOrEqual(config.longPrefillTokenThreshold);
    ids.add(entry.requestId);
    total += entry.numTokens;
  }
  expect(ids.size).toBe(output.scheduled.length);
  expect(output.totalNumScheduledTokens).toBe(total);
  expect(output.numPrefillTokens + output.numDecodeTokens).toBe(total);
  expect(total).toBeLessThanOrEqual(config.maxNumBatchedTokens);
  expect(output.scheduled.length).toBeLessThanOrEqual(config.maxNumSeqs);
  expect(scheduler.numRunning).toBeLessThanOrEqual(config.maxNumSeqs);
}

/** Block conservation: every reference is accounted for by exactly one block-table slot, free list = unreferenced. */
function checkBlocks(scheduler: Scheduler): void {
  const { pool } = scheduler.kvCache;
  const expected = new Array<number>(pool.numTotal).fill(0);
  for (const snapshot of scheduler.requestSnapshots()) {
    const table = scheduler.kvCache.blockTable(snapshot.requestId);
    if (snapshot.status !== 'RUNNING') expect(table).toHaveLength(0);
    for (const id of table) expected[id]!++;
  }
  expect(pool.blocks.map((b) => b.refCount)).toEqual(expected);
  const free = pool.freeBlockIds();
  expect(free.length).toBe(pool.numFree);
  expect(new Set(free)).toEqual(new Set(expected.flatMap((refs, id) => (refs === 0 ? [id] : []))));
}

describe('random workloads', () => {
  test('conserve blocks, respect limits, keep lifecycles valid and never change outputs', () => {
    fc.assert(
      fc.property(workloadArbitrary, (workload) => {
        const run = runWorkload(workload, (scheduler, output) => {
          if (output !== null) checkBatch(scheduler, output);
          checkBlocks(scheduler);
        });
        const usage = run.scheduler.kvCacheUsage();
        expect(usage.blocksUsed).toBe(0);
        expect(run.scheduler.kvCache.pool.blocks.every((b) => b.refCount === 0)).toBe(true);

        const reference = referenceRun(workload);
        for (const [id, request] of run.requests) {
          const events = run.recorder.events.get(id)!;
          expect(lifecycleViolation(events)).toBeNull();
          expect(isFinishedStatus(request.status)).toBe(true);
          expect(events.at(-1)!.detail).toBe(finishKindOf(request.status as never));
          const expected = reference.get(id)!;
          if (request.status === 'FINISHED_ABORTED') {
            expect(expected.outputTokenIds.slice(0, request.outputTokenIds.length)).toEqual(
              request.outputTokenIds,
            );
          } else {
            expect(request.outputTokenIds).toEqual(expected.outputTokenIds);
            expect(request.status).toBe(expected.status);
          }
        }
      }),
      { numRuns: 250 },
    );
  });

  test('preemption actually happens in these workloads (the properties are not vacuous)', () => {
    let preempted = 0;
    let cachedTokens = 0;
    fc.assert(
      fc.property(workloadArbitrary, (workload) => {
        const run = runWorkload(workload, () => {});
        for (const request of run.requests.values()) preempted += request.numPreemptions;
        cachedTokens += run.scheduler.kvCacheUsage().prefixCacheHits;
      }),
      { numRuns: 60, seed: 42 },
    );
    expect(preempted).toBeGreaterThan(10);
    expect(cachedTokens).toBeGreaterThan(10);
  });
});
