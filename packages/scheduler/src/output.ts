/**
 * What one step hands to the model runner (`SchedulerOutput`) and what the
 * scheduler hands back after sampling (`RequestOutput`). Plain objects: the
 * runner may read them freely but must finish with them before the next
 * `schedule()`, since block tables are shared, not copied.
 */
import type { RequestStatus, RequestView, ScheduleKind } from './request.js';

/** One request's work in a step. */
export interface ScheduledRequest {
  /** The request's id. */
  readonly requestId: string;
  /** The request itself (read-only). */
  readonly request: RequestView;
  /** True when the request (re)enters the batch this step, so the runner must set up per-request state. */
  readonly isNew: boolean;
  /** 'FIRST' for a first scheduling, 'RESUME' after preemption, null for a request continuing from the last step. */
  readonly kind: ScheduleKind | null;
  /** The tokens to compute this step: `allTokenIds[startPosition, startPosition + numTokens)`. */
  readonly tokenIds: readonly number[];
  /** Position of `tokenIds[0]` in the sequence (the request's computed-token count before this step). */
  readonly startPosition: number;
  /** Tokens computed this step (`tokenIds.length`). */
  readonly numTokens: number;
  /** True for a prompt chunk or a recompute; false for a single-token decode. */
  readonly isPrefill: boolean;
  /** The request's whole block table (shared, not copied; valid until the next `schedule()`); see {@link slotMapping}. */
  readonly blockIds: readonly number[];
  /** True when this chunk reaches the end of the known tokens, so the model must sample the next one. */
  readonly samplesToken: boolean;
}

/** Everything the model runner needs for one step. */
export interface SchedulerOutput {
  /** Step number, starting at 1 and increasing by one per `schedule()`. */
  readonly step: number;
  /** Requests to run, running ones first, then newly admitted ones in queue order. */
  readonly scheduled: readonly ScheduledRequest[];
  /** Sum of `numTokens` over `scheduled`; never above `maxNumBatchedTokens`. */
  readonly totalNumScheduledTokens: number;
  /** Tokens in prefill (and recompute) chunks. */
  readonly numPrefillTokens: number;
  /** Tokens in single-token decodes. */
  readonly numDecodeTokens: number;
  /** Requests preempted this step: the runner should drop their state; they will come back as 'RESUME'. */
  readonly preemptedIds: readonly string[];
  /** Requests that finished (any way) since the previous step: the runner may drop their state. */
  readonly finishedIds: readonly string[];
}

/** Why a request finished, in OpenAI API terms. */
export type FinishReason = 'stop' | 'length' | 'abort' | 'error';

/** What a step produced for one request. */
export interface RequestOutput {
  /** The request's id. */
  readonly requestId: string;
  /** Tokens appended this step (empty when the request finished without sampling). */
  readonly newTokenIds: readonly number[];
  /** True when the request is done. */
  readonly finished: boolean;
  /** The request's status after this step. */
  readonly status: RequestStatus;
  /** Null while running. */
  readonly finishReason: FinishReason | null;
}

const REASONS: Readonly<Record<RequestStatus, FinishReason | null>> = {
  WAITING: null,
  RUNNING: null,
  PREEMPTED: null,
  FINISHED_STOPPED: 'stop',
  FINISHED_LENGTH: 'length',
  FINISHED_ABORTED: 'abort',
  // vLLM reports an over-long prompt as a length finish.
  FINISHED_IGNORED: 'length',
  FINISHED_ERROR: 'error',
};

/** The API finish reason for a status (null while live). */
export function finishReasonOf(status: RequestStatus): FinishReason | null {
  return REASONS[status];
}

/** Slot of sequence position `p` in the paged KV memory. */
export function slotOf(blockIds: readonly number[], position: number, blockSize: number): number {
  const block = blockIds[Math.floor(position / blockSize)];
  if (block === undefined) throw new RangeError(`position ${position} is beyond the block table`);
  return block * blockSize + (position % blockSize);
}

/**
 * KV slots the model writes this step, one per token:
 * `blockIds[⌊p / blockSize⌋] × blockSize + p mod blockSize` for each position p.
 */
export function slotMapping(
  entry: Pick<ScheduledRequest, 'startPosition' | 'numTokens' | 'blockIds'>,
  blockSize: number,
): number[] {
  const slots = new Array<number>(entry.numTokens);
  for (let i = 0; i < entry.numTokens; i++)
    slots[i] = slotOf(entry.blockIds, entry.startPosition + i, blockSize);
  return slots;
}
