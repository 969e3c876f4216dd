/**
 * WGSL compute kernels for a llama-family forward pass over a paged KV cache.
 * Kernels record into a caller's {@link Recorder}; nothing here submits work
 * or reads back on its own.
 * @module
 */
export * from './gpu.js';
export * from './dtype.js';
export * from './kquants/index.js';
export * from './tensor.js';
export * from './arena.js';
export * from './context.js';
export * from './kernels/index.js';
