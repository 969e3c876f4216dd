export * from './matmul.js';
export type { MatmulWeightDType } from './pipelines.js';
