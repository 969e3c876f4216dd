export {
  describeRun,
  killTree,
  runOrThrow,
  runProgram,
  spawnInGroup,
  type RunOptions,
  type RunResult,
} from './run-program.js';
