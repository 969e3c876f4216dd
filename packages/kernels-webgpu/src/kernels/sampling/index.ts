export * from './params.js';
export * from './philox.js';
export * from './sampler.js';
export * from './penalties.js';
