/**
 * Whether a request may join the engine's queue: a request that could never
 * be admitted (more sequences than `--max-pending-requests` allows, or a
 * priority the scheduling policy ignores) is a 400 naming the field, so
 * clients do not retry it; one that only finds the queue full now is a 503
 * with `Retry-After`.
 * @module
 */
import { badRequest, unavailable } from '../errors.js';
import type { ServerContext } from '../server-context.js';

/** What admission looks at. */
export interface AdmissionRequest {
  /** Prompts in the request (one, except for batched completions). */
  readonly prompts: number;
  /** Sequences per prompt. */
  readonly n: number;
  readonly priority: number | undefined;
}

/** Throws the 400 or 503 that refuses `request`, or returns when it may be queued. */
export function admit(ctx: ServerContext, request: AdmissionRequest): void {
  const { scheduler } = ctx.engine.core;
  if (request.priority !== undefined && request.priority !== 0 && scheduler.config.policy !== 'priority') {
    throw badRequest(
      `priority ${request.priority} needs priority scheduling (--scheduling-policy priority)`,
      'priority',
    );
  }
  const limit = ctx.maxPendingRequests;
  const sequences = request.prompts * request.n;
  if (sequences > limit) {
    throw badRequest(
      `the request asks for ${sequences} sequences (prompts × n), more than the ${limit} that may ` +
        'wait (--max-pending-requests): send fewer prompts or a smaller n',
      request.prompts > 1 && request.prompts > limit ? 'prompt' : 'n',
    );
  }
  const waiting = scheduler.numWaiting;
  if (waiting + sequences > limit) {
    throw unavailable(`the server is busy: ${waiting} sequences are waiting (limit ${limit})`);
  }
}
