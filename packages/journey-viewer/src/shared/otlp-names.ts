/**
 * The span, event and attribute names of `@x/tracing` that the OTLP-JSON
 * reader looks for (see docs/journey-tracing.md). Copied rather than
 * imported, because the page runs in a browser without OpenTelemetry; a
 * test checks they still equal `@x/tracing`'s exported names.
 * @module
 */

/** Span names. */
export const SPAN_NAME = { request: 'llm_request', core: 'llm_core', step: 'llm_step' } as const;

/** Event names on `llm_request` and `llm_core`, by the viewer's event type. */
export const EVENT_NAME = {
  ARRIVED: 'api.ARRIVED',
  HANDOFF: 'api.HANDOFF_TO_CORE',
  FIRST_RESPONSE: 'api.FIRST_RESPONSE_FROM_CORE',
  DEPARTED: 'api.DEPARTED',
  ABORTED: 'api.ABORTED',
  QUEUED: 'journey.QUEUED',
  SCHEDULED: 'journey.SCHEDULED',
  FIRST_TOKEN: 'journey.FIRST_TOKEN',
  PREEMPTED: 'journey.PREEMPTED',
  FINISHED: 'journey.FINISHED',
} as const;

/** Rich steps list each running request in one of these events. */
export const REQUEST_SNAPSHOT_EVENT = 'step.REQUEST_SNAPSHOT';

/** Attribute names. */
export const ATTR = {
  requestId: 'gen_ai.request.id',
  model: 'gen_ai.request.model',
  inputTokens: 'gen_ai.usage.input_tokens',
  maxTokens: 'gen_ai.request.max_tokens',
  choiceCount: 'gen_ai.request.choice.count',
  stream: 'gen_ai.request.stream',
  endpoint: 'x_llm.endpoint',
  abortReason: 'reason',
  httpStatus: 'http.response.status_code',
  epochMs: 'ts_epoch_ms',
  step: 'scheduler_step',
  phase: 'phase',
  prefillDone: 'prefill_done_tokens',
  prefillTotal: 'prefill_total_tokens',
  decodeDone: 'decode_done_tokens',
  decodeMax: 'decode_max_tokens',
  numPreemptions: 'num_preemptions',
  scheduleKind: 'schedule_kind',
  finishStatus: 'finish_status',
  finishReason: 'finish_reason_text',
  snapshotRequestId: 'request_id',
  numRunning: 'num_running',
  numWaiting: 'num_waiting',
  scheduledRequests: 'scheduled_requests',
  prefillTokens: 'prefill_tokens',
  decodeTokens: 'decode_tokens',
  numPreempted: 'num_preempted',
  numFinished: 'num_finished',
  kvBlocksUsed: 'kv_blocks_used',
  kvUsage: 'kv_usage',
  durationMs: 'step_duration_ms',
} as const;
