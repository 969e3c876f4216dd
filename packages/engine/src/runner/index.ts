export { ModelRunner, type ModelRunnerOptions, type StepSamples } from './model-runner.js';
export { StepEntryError } from './step-entry-error.js';
export { allocateKvCache, kvBytesPerBlock, type KvCache, type KvCacheSize } from './kv-cache.js';
export { uploadWeights, type GpuLayerWeights, type GpuWeights } from './gpu-weights.js';
export { LlamaForward, type ForwardInputs } from './forward.js';
export { StepInputBuilder, type StepBatch, type StepInputs } from './step-inputs.js';
export { warmUpSteps, type WarmUpLimits } from './warm-up.js';
export { StepSampler, type StepSampling } from './step-sampler.js';
export {
  planPromptScores,
  PromptScorer,
  type PromptScores,
  type PromptScoring,
  type ScoredRange,
  type ScorePlan,
} from './prompt-scores.js';
