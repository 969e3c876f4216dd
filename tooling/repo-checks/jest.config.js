export { default } from '../../tooling/jest.preset.js';
