import preset from '../../tooling/jest.preset.js';

/** Real engines on a GPU emulated by the CPU: room for when every package's tests run at once. */
export default { ...preset, testTimeout: 180_000 };
