export * from './matmul.js';
export { rowsAligned, type MatmulWeightDType } from './pipelines.js';
export type { MatmulDims } from './validate.js';
