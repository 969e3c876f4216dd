/**
 * Every span, event and attribute name the plugin emits, in one place so the
 * docs, the tests and the code agree. `gen_ai.*` names follow the OpenTelemetry
 * GenAI semantic conventions (still "Development" there, so they are copied
 * here rather than imported from the unstable `incubating` entry point);
 * journey attributes use vLLM's journey-tracing names.
 * @module
 */

/** Instrumentation scope of the API layer's spans. */
export const API_SCOPE = 'x-llm.api';
/** Instrumentation scope of the scheduler's spans (journey and step). */
export const CORE_SCOPE = 'x-llm.scheduler';

/** Span names. */
export const SPAN = {
  /** One per traced HTTP request, from arrival to the response's end; the parent. */
  request: 'llm_request',
  /** One per traced engine request (per sequence when `n > 1`), from queued to finished. */
  core: 'llm_core',
  /** One per sampled scheduler step. */
  step: 'llm_step',
} as const;

/** Request headers the tracing decision and context travel in. */
export const HEADER = {
  traceparent: 'traceparent',
  tracestate: 'tracestate',
  /** `1` or `0`: the API layer's sampling decision, so the core traces the same requests. */
  sampled: 'x-journey-sampled',
} as const;

/** Span events on `llm_core`. */
export const JOURNEY_EVENT = {
  QUEUED: 'journey.QUEUED',
  SCHEDULED: 'journey.SCHEDULED',
  FIRST_TOKEN: 'journey.FIRST_TOKEN',
  PREEMPTED: 'journey.PREEMPTED',
  FINISHED: 'journey.FINISHED',
} as const;

/** Span events on `llm_request`. */
export const API_EVENT = {
  ARRIVED: 'api.ARRIVED',
  HANDOFF: 'api.HANDOFF_TO_CORE',
  FIRST_RESPONSE: 'api.FIRST_RESPONSE_FROM_CORE',
  DEPARTED: 'api.DEPARTED',
  ABORTED: 'api.ABORTED',
} as const;

/** Span events on `llm_step`. */
export const STEP_EVENT = {
  BATCH_SUMMARY: 'step.BATCH_SUMMARY',
  REQUEST_SNAPSHOT: 'step.REQUEST_SNAPSHOT',
} as const;

/** Attributes every journey event carries, plus the kind- and status-specific ones. */
export const JOURNEY_ATTR = {
  eventType: 'event_type',
  epochMs: 'ts_epoch_ms',
  monotonicNs: 'ts_monotonic_ns',
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
} as const;

/** GenAI semantic-convention attributes (and the two this project adds beside them). */
export const GEN_AI = {
  operationName: 'gen_ai.operation.name',
  providerName: 'gen_ai.provider.name',
  requestId: 'gen_ai.request.id',
  requestModel: 'gen_ai.request.model',
  maxTokens: 'gen_ai.request.max_tokens',
  temperature: 'gen_ai.request.temperature',
  topP: 'gen_ai.request.top_p',
  topK: 'gen_ai.request.top_k',
  seed: 'gen_ai.request.seed',
  presencePenalty: 'gen_ai.request.presence_penalty',
  frequencyPenalty: 'gen_ai.request.frequency_penalty',
  choiceCount: 'gen_ai.request.choice.count',
  stream: 'gen_ai.request.stream',
  inputTokens: 'gen_ai.usage.input_tokens',
  outputTokens: 'gen_ai.usage.output_tokens',
  finishReasons: 'gen_ai.response.finish_reasons',
  responseId: 'gen_ai.response.id',
} as const;

/** Attributes of the API span that no convention names. */
export const API_ATTR = {
  endpoint: 'x_llm.endpoint',
  abortReason: 'reason',
  httpStatus: 'http.response.status_code',
  errorType: 'error.type',
} as const;

/** Attributes of `step.BATCH_SUMMARY` (also set on the `llm_step` span) and `step.REQUEST_SNAPSHOT`. */
export const STEP_ATTR = {
  step: 'scheduler_step',
  numRunning: 'num_running',
  numWaiting: 'num_waiting',
  scheduledRequests: 'scheduled_requests',
  scheduledTokens: 'scheduled_tokens',
  prefillTokens: 'prefill_tokens',
  decodeTokens: 'decode_tokens',
  numPreempted: 'num_preempted',
  numFinished: 'num_finished',
  kvBlocksUsed: 'kv_blocks_used',
  kvBlocksFree: 'kv_blocks_free',
  kvUsage: 'kv_usage',
  prefixHitRate: 'prefix_cache_hit_rate',
  stepPrefixHitRate: 'prefix_cache_step_hit_rate',
  durationMs: 'step_duration_ms',
  requestId: 'request_id',
  blocksHeld: 'kv_blocks_held',
  tokensCached: 'tokens_cached',
} as const;
