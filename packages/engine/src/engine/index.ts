export { AsyncEngine, type GenerateOptions, type RequestDefaults } from './async-engine.js';
export { createEngine, loadTokenizer, type Engine, type EngineOptions } from './create-engine.js';
export {
  EngineCore,
  type CoreOutput,
  type CoreRequest,
  type CoreToken,
  type OutputSink,
  type RequestSampling,
  type StepExecutor,
} from './engine-core.js';
export {
  EngineStats,
  requestMetrics,
  type EngineCounters,
  type RequestMetrics,
  type StatsSubscriber,
} from './engine-stats.js';
export { EngineConfigError, resolveEngineConfig } from './engine-config.js';
export { EngineInputError } from './errors.js';
export { SequenceText, type GenerationOutput, type TokenLogprob } from './generation.js';
export { MAX_N, normalizeParams, type NormalizedSampling, type SamplingOptions } from './sampling-options.js';
