/**
 * What the viewer records and the page draws: request journeys (events with
 * their progress snapshots) and step summaries. Plain JSON values, so the
 * recorder's own objects are what `/journeys/snapshot` and the live feed
 * send, and what a loaded OTLP-JSON trace is turned into.
 * @module
 */

/** Where an event comes from: the HTTP layer, or the scheduler (the engine core). */
export type JourneyLayer = 'api' | 'core';

/**
 * Event types. API: ARRIVED, HANDOFF, FIRST_RESPONSE, DEPARTED, ABORTED.
 * Core: QUEUED, SCHEDULED (`kind` FIRST or RESUME), PREFILL_CHUNK (a step
 * that advanced the prompt), DECODE (back to decoding after a recompute),
 * FIRST_TOKEN, PREEMPTED, FINISHED (`status`).
 */
export type JourneyEventType =
  | 'ARRIVED'
  | 'HANDOFF'
  | 'QUEUED'
  | 'SCHEDULED'
  | 'PREFILL_CHUNK'
  | 'FIRST_TOKEN'
  | 'DECODE'
  | 'PREEMPTED'
  | 'FINISHED'
  | 'FIRST_RESPONSE'
  | 'DEPARTED'
  | 'ABORTED';

/** How the scheduler says a request ended. */
export type FinishStatus = 'stopped' | 'length' | 'aborted' | 'ignored' | 'error';

/** A request's progress at an event (the scheduler's `ProgressSnapshot`, less its clocks). */
export interface JourneyProgress {
  readonly step: number;
  /** WAITING (queued or preempted), PREFILL (prompt, or recompute), DECODE. */
  readonly phase: 'WAITING' | 'PREFILL' | 'DECODE';
  /** Prompt tokens computed (a high-water mark). */
  readonly prefillDone: number;
  readonly prefillTotal: number;
  /** Output tokens so far. */
  readonly decodeDone: number;
  readonly decodeMax: number;
  readonly numPreemptions: number;
}

/** One event of a journey. */
export interface JourneyEvent {
  readonly type: JourneyEventType;
  readonly layer: JourneyLayer;
  /** Unix epoch ms (fractional). */
  readonly timeMs: number;
  /** With `n > 1`, which choice (engine request `<id>-<choice>`) a core event belongs to. */
  readonly choice?: number;
  /** Core events: the request's progress then. */
  readonly progress?: JourneyProgress;
  /** SCHEDULED: the first time, or a resume after preemption. */
  readonly kind?: 'FIRST' | 'RESUME';
  /** FINISHED: how it ended. */
  readonly status?: FinishStatus;
  /** FINISHED: the engine's reason text; ABORTED: why the server gave up. */
  readonly reason?: string;
  /** ABORTED: the HTTP status sent (499 when the client went away), when known. */
  readonly httpStatus?: number;
}

/** What the HTTP layer knows about a request (absent for requests sent to the engine directly). */
export interface JourneyRequestInfo {
  readonly endpoint?: string;
  readonly model?: string;
  readonly promptTokens?: number;
  readonly maxTokens?: number;
  readonly stream?: boolean;
  /** Choices asked for; more than 1 means one engine request per choice. */
  readonly n?: number;
}

/** One request's journey. */
export interface Journey {
  /** The response id (`chatcmpl-…`, `cmpl-…`), which is also the engine's request id. */
  readonly id: string;
  /** Time of its first event, epoch ms. */
  readonly startMs: number;
  readonly info: JourneyRequestInfo;
  /** In the order they happened. */
  readonly events: readonly JourneyEvent[];
  /** Events left out because the journey reached the per-request cap. */
  readonly droppedEvents: number;
}

/** One scheduler step, summarised. */
export interface StepSummary {
  readonly step: number;
  /** When the step began, epoch ms. */
  readonly startMs: number;
  readonly durationMs: number;
  /** Requests in the batch. */
  readonly batchSize: number;
  readonly numRunning: number;
  readonly numWaiting: number;
  readonly prefillTokens: number;
  readonly decodeTokens: number;
  /** KV-cache blocks in use, as a fraction in [0, 1]. */
  readonly kvUsage: number;
  readonly kvBlocksUsed: number;
  /** Requests preempted in the step. */
  readonly preempted: number;
  /** Requests that finished since the previous step. */
  readonly finished: number;
}

/** Everything the page needs to draw: the retained journeys (oldest first) and steps. */
export interface JourneySnapshot {
  /** Server time when the snapshot was taken, epoch ms. */
  readonly nowMs: number;
  /** Caps: the page keeps no more than the server does. */
  readonly maxRequests: number;
  readonly maxSteps: number;
  readonly journeys: readonly Journey[];
  readonly steps: readonly StepSummary[];
}

/** A live update: journeys that changed (whole, to replace by id) and steps since the last update. */
export interface JourneyUpdate {
  readonly nowMs: number;
  readonly journeys: readonly Journey[];
  readonly steps: readonly StepSummary[];
}
