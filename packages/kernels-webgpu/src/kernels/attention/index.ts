export * from './paged-attention.js';
export type { PagedAttentionDims, PagedAttentionTensors } from './validate.js';
export {
  chunkKeys,
  chunkSlots,
  DEFAULT_MAX_SPLIT,
  DEFAULT_SPLIT_CHUNK,
  splitChunks,
  type SplitRule,
} from './split.js';
export { dimLanes, type AttentionLayout } from './pipelines.js';
