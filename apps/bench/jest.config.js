import preset from '../../tooling/jest.preset.js';

/** The end-to-end test runs a real server on a GPU emulated by the CPU: room for a loaded machine. */
export default { ...preset, testTimeout: 180_000 };
