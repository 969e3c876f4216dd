/**
 * The accumulator of one `schedule()` pass: the batch being built, the token
 * budget left, and the requests preempted. It lives on as the in-flight step
 * until `updateFromOutput()` consumes it.
 */
import type { ScheduledRequest, SchedulerOutput } from './output.js';
import { isPrefilling } from './progress.js';
import type { Request, ScheduleKind } from './request.js';

/** Where a pass starts. */
export interface StepPlanInit {
  /** Step number. */
  readonly step: number;
  /** Monotonic ns when the pass began. */
  readonly nowNs: number;
  /** The token budget (`maxNumBatchedTokens`). */
  readonly budget: number;
}

/** One request's place in the batch being built. */
export interface PlannedRequest {
  /** The request to run. */
  readonly request: Request;
  /** Tokens to compute. */
  readonly numTokens: number;
  /** Set when it (re)enters the batch. */
  readonly kind: ScheduleKind | null;
  /** Its block table after allocation. */
  readonly blockIds: readonly number[];
}

const NO_IDS: readonly string[] = Object.freeze([]);

/** The batch under construction and, after the pass, in flight. */
export class StepPlan {
  readonly step: number;
  readonly nowNs: number;
  /** Tokens still available this step. */
  budget: number;
  /** Output entries, in batch order. */
  readonly entries: ScheduledRequest[] = [];
  /** The mutable requests behind `entries`, index for index. */
  readonly requests: Request[] = [];
  /** Requests preempted during the pass, in order. */
  readonly preempted: Request[] = [];
  numPrefillTokens = 0;
  numDecodeTokens = 0;

  /** Starts an empty batch. */
  constructor(init: StepPlanInit) {
    this.step = init.step;
    this.nowNs = init.nowNs;
    this.budget = init.budget;
  }

  /** Adds a request's chunk to the batch and charges the budget. */
  add(planned: PlannedRequest): void {
    const { request, numTokens, kind } = planned;
    const start = request.numComputedTokens;
    const isPrefill = isPrefilling(request);
    this.entries.push({
      requestId: request.requestId,
      request,
      isNew: kind !== null,
      kind,
      tokenIds: request.allTokenIds.slice(start, start + numTokens),
      startPosition: start,
      numTokens,
      isPrefill,
      blockIds: planned.blockIds,
      samplesToken: start + numTokens === request.numTokens,
    });
    this.requests.push(request);
    this.#charge(numTokens, isPrefill, 1);
  }

  /** Takes a preempted request back out of the batch, refunding its tokens; no-op when it was not in it. */
  remove(request: Request): void {
    const index = this.requests.lastIndexOf(request);
    if (index < 0) return;
    const [entry] = this.entries.splice(index, 1);
    this.requests.splice(index, 1);
    this.#charge(entry!.numTokens, entry!.isPrefill, -1);
  }

  /** The step's output, handing over the list of requests finished since the previous step. */
  toOutput(finishedIds: readonly string[]): SchedulerOutput {
    return {
      step: this.step,
      scheduled: this.entries,
      totalNumScheduledTokens: this.numPrefillTokens + this.numDecodeTokens,
      numPrefillTokens: this.numPrefillTokens,
      numDecodeTokens: this.numDecodeTokens,
      preemptedIds: this.preempted.length === 0 ? NO_IDS : this.preempted.map((r) => r.requestId),
      finishedIds,
    };
  }

  #charge(numTokens: number, isPrefill: boolean, sign: 1 | -1): void {
    this.budget -= sign * numTokens;
    if (isPrefill) this.numPrefillTokens += sign * numTokens;
    else this.numDecodeTokens += sign * numTokens;
  }
}
