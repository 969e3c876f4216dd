/**
 * The accumulator of one `schedule()` pass: the batch being built, the token
 * budget left, and the requests preempted. It lives on as the in-flight step
 * until `updateFromOutput()` consumes it.
 */
import type { ScheduledRequest, SchedulerOutput } from './output.js';
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

/** An output entry as the scheduler keeps it: the same object, typed with the mutable request. */
export interface PlannedEntry extends ScheduledRequest {
  /** The request behind the entry. */
  readonly request: Request;
}

const NO_IDS: readonly string[] = Object.freeze([]);

/** The batch under construction and, after the pass, in flight. */
export class StepPlan {
  readonly step: number;
  readonly nowNs: number;
  /** Tokens still available this step. */
  budget: number;
  /** Output entries, in batch order. */
  readonly entries: PlannedEntry[] = [];
  /** Requests preempted during the pass, in order. */
  readonly preempted: Request[] = [];
  /** Index of the first entry admitted from the queue (entries before it were already running). */
  firstAdmitted = 0;
  numPrefillTokens = 0;
  numDecodeTokens = 0;

  /** Starts an empty batch. */
  constructor(init: StepPlanInit) {
    this.step = init.step;
    this.nowNs = init.nowNs;
    this.budget = init.budget;
  }

  /**
   * Adds `numTokens` of `request` to the batch and charges the budget. `kind`
   * is set when the request (re)enters the batch; `blockIds` is its table after
   * allocation. (Positional: this runs once per request per step.)
   */
  add(request: Request, numTokens: number, kind: ScheduleKind | null, blockIds: readonly number[]): void {
    const start = request.numComputedTokens;
    const total = request.numTokens;
    const tokens = request.allTokenIds;
    // `isPrefilling(request)`, on values already at hand.
    const isPrefill = start < request.numPromptTokens || start < total - 1;
    this.entries.push({
      requestId: request.requestId,
      request,
      isNew: kind !== null,
      kind,
      tokenIds: numTokens === 1 ? [tokens[start]!] : tokens.slice(start, start + numTokens),
      startPosition: start,
      numTokens,
      isPrefill,
      blockIds,
      samplesToken: start + numTokens === total,
    });
    this.#charge(numTokens, isPrefill, 1);
  }

  /** Takes a preempted request back out of the batch, refunding its tokens; no-op when it was not in it. */
  remove(request: Request): void {
    const index = this.entries.findLastIndex((entry) => entry.request === request);
    if (index < 0) return;
    const [entry] = this.entries.splice(index, 1);
    this.#charge(entry!.numTokens, entry!.isPrefill, -1);
  }

  /** Rejects a sample array that does not line up with this step, before anything is changed. */
  checkSamples(sampled: ArrayLike<number>): void {
    const { entries } = this;
    if (sampled.length < entries.length) {
      throw new RangeError(`got ${sampled.length} sampled tokens for ${entries.length} scheduled requests`);
    }
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i]!;
      const token = sampled[i]!;
      if (entry.samplesToken && !entry.request.isFinished && !(Number.isInteger(token) && token >= 0)) {
        throw new RangeError(
          `sampledTokenIds[${i}] (${token}) is not a token id for request ${entry.requestId}`,
        );
      }
    }
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
