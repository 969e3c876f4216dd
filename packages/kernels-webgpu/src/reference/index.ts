export * from './add.js';
export * from './elementwise.js';
export * from './matmul.js';
export * from './attention.js';
export * from './sampling.js';
export * from './penalties.js';
