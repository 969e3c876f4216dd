/**
 * Model loading, tokenization and the engine loop.
 * @module
 */
export * from './model/index.js';
export * from './tokenizer/index.js';
