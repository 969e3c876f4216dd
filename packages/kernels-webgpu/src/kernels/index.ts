export * from './add.js';
export * from './grid.js';
export * from './matmul/index.js';
export * from './attention/index.js';
export * from './sampling/index.js';
