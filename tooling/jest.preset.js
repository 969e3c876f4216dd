/**
 * Shared jest preset: TypeScript through @swc/jest, native ESM (run jest with
 * NODE_OPTIONS=--experimental-vm-modules; the `webgpu` addon is ESM-only).
 * @type {import('jest').Config}
 */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  // NodeNext imports say './x.js'; the tests run the TypeScript source.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'typescript' }, target: 'es2023' }, module: { type: 'es6' } },
    ],
  },
  testMatch: ['<rootDir>/test/**/*.test.ts', '<rootDir>/src/**/*.test.ts'],
  // A GPU test on a cold Mesa shader cache compiles every pipeline it uses, on the CPU: with every
  // package's tests sharing 2 cores, two engines in one test took over 60 s in CI (21 s alone).
  testTimeout: 180_000,
};
