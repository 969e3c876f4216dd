/**
 * @x/scheduler: a continuous-batching LLM scheduler (vLLM v1's design) with a
 * paged, prefix-cached KV-cache block manager and typed lifecycle hooks.
 */
export { Scheduler, type SchedulerOptions } from './scheduler.js';
export {
  DEFAULT_CHUNKED_TOKEN_BUDGET,
  DEFAULT_CONFIG,
  maxSequenceLength,
  resolveConfig,
  type SchedulerConfig,
  type SchedulerConfigInput,
} from './config.js';
export {
  isFinishedStatus,
  RequestStatus,
  type FinishedStatus,
  type RequestTimes,
  type RequestView,
  type SamplingLimits,
  type ScheduleKind,
} from './request.js';
export { normalizeSampling, type NewRequest } from './new-request.js';
export { checkStop } from './stop-conditions.js';
export {
  finishReasonOf,
  slotMapping,
  slotOf,
  type FinishReason,
  type RequestOutput,
  type ScheduledRequest,
  type SchedulerOutput,
} from './output.js';
export {
  finishKindOf,
  HookRegistry,
  type FinishKind,
  type HookLogger,
  type HookName,
  type PluginHost,
  type SchedulerPlugin,
  type Unsubscribe,
} from './hooks.js';
export {
  isPrefilling,
  phaseOf,
  type ProgressSnapshot,
  type RequestPhase,
  type RequestSnapshot,
} from './progress.js';
export type { StepEvent, StepStats } from './step-event.js';
export {
  KVCacheManager,
  NO_PREFIX_HIT,
  type KvCacheOptions,
  type KvCacheUsage,
  type KvCacheView,
  type KvRequest,
  type KvResidency,
  type PrefixHit,
  type RequestKvUsage,
} from './kv-cache-manager.js';
export { BlockPool, type BlockPoolView } from './block-pool.js';
export type { BlockKey, KvBlock, KvBlockView } from './kv-block.js';
export { hashBlockTokens, ROOT_BLOCK_HASH, type BlockHasher } from './prefix-hash.js';
export { createRequestQueue, type RequestQueue, type SchedulingPolicy } from './request-queue.js';
export { FcfsQueue } from './fcfs-queue.js';
export { PriorityQueue } from './priority-queue.js';
export { compareQueueItems, type QueueItem } from './queue-order.js';
export { performanceClock, type Clock } from './clock.js';
