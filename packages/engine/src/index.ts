/**
 * Model loading, tokenization, the forward pass on the WebGPU kernels, and
 * the engine loop that drives the scheduler.
 * @module
 */
export * from './model/index.js';
export * from './tokenizer/index.js';
export * from './runner/index.js';
export * from './engine/index.js';
