/**
 * Random workloads for the property tests, and a driver that runs one against
 * the scheduler and the fake model while checking per-step invariants.
 */
import fc from 'fast-check';
import {
  hashBlockTokens,
  RequestStatus,
  Scheduler,
  type NewRequest,
  type RequestView,
  type SchedulerOptions,
  type SchedulerOutput,
  type SchedulingPolicy,
} from '../../src/index.js';
import { FakeModel } from './fake-model.js';
import { createRecorder, type Recorder } from './recorder.js';
import { steppingClock } from './drive.js';

/** The fake model's EOS token (it appears about once in 32 samples). */
export const EOS = 0;

/** One generated request, with when it arrives and (maybe) when it is aborted. */
export interface PlannedRequest {
  readonly init: NewRequest;
  readonly arriveAt: number;
  readonly abort: { readonly step: number; readonly inFlight: boolean } | null;
}

/** A generated scheduler configuration plus requests. */
export interface Workload {
  readonly options: SchedulerOptions;
  readonly requests: readonly PlannedRequest[];
}

const token = fc.integer({ min: 0, max: 40 });

const requestShape = fc.record({
  prefix: fc.nat(),
  usePrefix: fc.boolean(),
  suffix: fc.array(token, { maxLength: 12 }),
  maxTokens: fc.option(fc.integer({ min: 1, max: 16 })),
  minTokens: fc.integer({ min: 0, max: 3 }),
  ignoreEos: fc.boolean(),
  stopToken: fc.option(token, { freq: 3 }),
  priority: fc.integer({ min: 0, max: 3 }),
  arriveAt: fc.integer({ min: 0, max: 12 }),
  abort: fc.option(fc.record({ step: fc.integer({ min: 0, max: 30 }), inFlight: fc.boolean() }), { freq: 3 }),
});

/** Small pools (often just one max-length sequence) so preemption is common. */
export const workloadArbitrary: fc.Arbitrary<Workload> = fc
  .record({
    policy: fc.constantFrom<SchedulingPolicy>('fcfs', 'priority'),
    blockSize: fc.constantFrom(1, 2, 4),
    enableChunkedPrefill: fc.boolean(),
    enablePrefixCaching: fc.boolean(),
    maxNumSeqs: fc.integer({ min: 1, max: 6 }),
    budget: fc.integer({ min: 1, max: 40 }),
    threshold: fc.integer({ min: 0, max: 8 }),
    maxModelLen: fc.integer({ min: 4, max: 40 }),
    extraBlocks: fc.integer({ min: 0, max: 12 }),
    weakHash: fc.boolean(),
    prefixes: fc.array(fc.array(token, { minLength: 1, maxLength: 16 }), { minLength: 1, maxLength: 3 }),
    requests: fc.array(requestShape, { minLength: 1, maxLength: 12 }),
  })
  .map((w) => {
    const options: SchedulerOptions = {
      policy: w.policy,
      blockSize: w.blockSize,
      numBlocks: Math.ceil(w.maxModelLen / w.blockSize) + w.extraBlocks,
      maxModelLen: w.maxModelLen,
      maxNumSeqs: w.maxNumSeqs,
      enableChunkedPrefill: w.enableChunkedPrefill,
      enablePrefixCaching: w.enablePrefixCaching,
      maxNumBatchedTokens: w.enableChunkedPrefill ? w.budget : Math.max(w.budget, w.maxModelLen),
      longPrefillTokenThreshold: w.enableChunkedPrefill ? w.threshold : 0,
      // Half the runs hash into 3 buckets: hits must then rest on the exact token and parent checks.
      blockHasher: w.weakHash ? (...args) => hashBlockTokens(...args) % 3 : undefined,
    };
    const requests = w.requests.map((r, i): PlannedRequest => {
      const prefix = r.usePrefix ? w.prefixes[r.prefix % w.prefixes.length]! : [];
      const prompt = [...prefix, ...r.suffix];
      const maxTokens = r.maxTokens ?? undefined;
      return {
        init: {
          requestId: `r${i}`,
          promptTokenIds: prompt.length > 0 ? prompt : [1],
          priority: r.priority,
          sampling: {
            maxTokens,
            minTokens: Math.min(r.minTokens, maxTokens ?? Infinity),
            eosTokenId: EOS,
            ignoreEos: r.ignoreEos,
            stopTokenIds: r.stopToken === null ? [] : [r.stopToken],
          },
        },
        arriveAt: r.arriveAt,
        abort: r.abort,
      };
    });
    return { options, requests };
  });

/** What a run produced. */
export interface RunResult {
  readonly requests: Map<string, RequestView>;
  readonly recorder: Recorder;
  readonly scheduler: Scheduler;
}

/** Runs `workload` to completion, calling `check` after every schedule and every update. */
export function runWorkload(
  workload: Workload,
  check: (scheduler: Scheduler, output: SchedulerOutput | null) => void,
  maxSteps = 5000,
): RunResult {
  const scheduler = new Scheduler({ ...workload.options, clock: steppingClock() });
  const recorder = createRecorder();
  scheduler.use(recorder.plugin);
  const model = new FakeModel({
    numBlocks: scheduler.config.numBlocks,
    blockSize: scheduler.config.blockSize,
  });
  const requests = new Map<string, RequestView>();
  const abortAt = (step: number, inFlight: boolean): void => {
    const ids = workload.requests.filter((r) => r.abort?.step === step && r.abort.inFlight === inFlight);
    scheduler.finishRequests(
      ids.map((r) => r.init.requestId),
      RequestStatus.FINISHED_ABORTED,
    );
  };
  for (let step = 0; ; step++) {
    if (step > maxSteps) throw new Error(`workload not finished after ${maxSteps} steps`);
    for (const r of workload.requests)
      if (r.arriveAt === step) requests.set(r.init.requestId, scheduler.addRequest(r.init));
    abortAt(step, false);
    if (requests.size === workload.requests.length && !scheduler.hasUnfinishedRequests()) break;
    const output = scheduler.schedule();
    check(scheduler, output);
    abortAt(step, true);
    scheduler.updateFromOutput(output, model.run(output));
    check(scheduler, null);
  }
  return { requests, recorder, scheduler };
}

/** Runs the same requests, all at once, on a pool too large to preempt, without prefix caching or chunking. */
export function referenceRun(workload: Workload): Map<string, RequestView> {
  const { maxModelLen, blockSize = 16 } = workload.options;
  const n = workload.requests.length;
  const scheduler = new Scheduler({
    maxModelLen,
    blockSize,
    numBlocks: (Math.ceil(maxModelLen / blockSize) + 1) * n,
    maxNumSeqs: n,
    maxNumBatchedTokens: maxModelLen * n,
    enableChunkedPrefill: false,
    enablePrefixCaching: false,
  });
  const model = new FakeModel({ numBlocks: scheduler.config.numBlocks, blockSize });
  const requests = new Map(workload.requests.map((r) => [r.init.requestId, scheduler.addRequest(r.init)]));
  while (scheduler.hasUnfinishedRequests()) {
    const output = scheduler.schedule();
    scheduler.updateFromOutput(output, model.run(output));
  }
  return requests;
}
