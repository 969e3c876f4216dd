/**
 * The scheduling pass, vLLM v1 style: running requests first (each gets what
 * it still needs within the budget, preempting others by recompute when the
 * pool runs dry), then waiting requests in queue order while budget, sequence
 * slots and blocks allow. No admission happens in a step that preempted.
 */
import type { SchedulerConfig } from './config.js';
import type { KVCacheManager } from './kv-cache-manager.js';
import { compareQueueItems } from './queue-order.js';
import type { Request } from './request.js';
import type { RequestQueue } from './request-queue.js';
import type { StepPlan } from './step-plan.js';

/** The scheduler state a pass reads and changes; one long-lived object owned by the scheduler. */
export interface PassState {
  /** Limits and policy. */
  readonly config: SchedulerConfig;
  /** Block tables. */
  readonly kv: KVCacheManager;
  /** Running requests in admission order (the most recently admitted last). */
  readonly running: Request[];
  /** Waiting and preempted requests. */
  readonly waiting: RequestQueue<Request>;
}

/** Runs a full pass into `plan`. */
export function schedulePass(state: PassState, plan: StepPlan): void {
  scheduleRunning(state, plan);
  if (plan.preempted.length === 0) admitWaiting(state, plan);
}

/** Tokens a request still needs from `computed` on, capped by the long-prefill threshold. */
function tokensWanted(request: Request, computed: number, config: SchedulerConfig): number {
  const wanted = request.numTokens - computed;
  const cap = config.longPrefillTokenThreshold;
  return cap > 0 && wanted > cap ? cap : wanted;
}

function scheduleRunning(state: PassState, plan: StepPlan): void {
  const { running, kv, config } = state;
  for (let i = 0; i < running.length && plan.budget > 0; i++) {
    const request = running[i]!;
    const numTokens = Math.min(tokensWanted(request, request.numComputedTokens, config), plan.budget);
    const preemptedBefore = plan.preempted.length;
    if (!allocateOrPreempt(state, plan, request, numTokens)) return;
    if (plan.preempted.length !== preemptedBefore) i = running.indexOf(request);
    plan.add(request, numTokens, null, kv.blockTableOf(request));
  }
}

/** Allocates for `request`, preempting victims until it fits; false when the request itself had to go. */
function allocateOrPreempt(state: PassState, plan: StepPlan, request: Request, numTokens: number): boolean {
  while (state.kv.allocateSlots(request, numTokens) === null) {
    if (preemptOne(state, plan) === request) return false;
  }
  return true;
}

/**
 * Preempts by recompute: the victim frees all its blocks, forgets its computed
 * tokens and goes back to the front of the queue. The victim is the most
 * recently admitted request (fcfs) or the one the priority order serves last.
 */
function preemptOne(state: PassState, plan: StepPlan): Request {
  const { running } = state;
  let index = running.length - 1;
  if (state.config.policy === 'priority') {
    for (let i = index - 1; i >= 0; i--) if (compareQueueItems(running[i]!, running[index]!) > 0) index = i;
  }
  const [victim] = running.splice(index, 1);
  state.kv.free(victim!);
  victim!.preempt();
  state.waiting.pushFront(victim!);
  plan.remove(victim!);
  plan.preempted.push(victim!);
  return victim!;
}

function admitWaiting(state: PassState, plan: StepPlan): void {
  const { running, waiting, kv, config } = state;
  plan.firstAdmitted = plan.entries.length;
  while (waiting.size > 0 && plan.budget > 0 && running.length < config.maxNumSeqs) {
    const request = waiting.peek()!;
    const hit = kv.findCachedPrefix(request);
    let numTokens = tokensWanted(request, hit.numTokens, config);
    if (numTokens > plan.budget) {
      if (!config.enableChunkedPrefill) return;
      numTokens = plan.budget;
    }
    if (kv.allocateSlots(request, numTokens, hit) === null) return;
    waiting.pop();
    const kind = request.admit(hit.numTokens, plan.nowNs);
    running.push(request);
    plan.add(request, numTokens, kind, kv.blockTableOf(request));
  }
}
