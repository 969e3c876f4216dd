/**
 * Test and benchmark helpers: seeded inputs, output poisoning, tolerant
 * comparison, and the float64 CPU references of every kernel.
 * @module
 */
export * from './random.js';
export * from './check.js';
export * from '../reference/index.js';
