/**
 * @x/server: the `x-serve` command line, and `startServer` for programs that
 * want the same server in-process.
 * @module
 */
export { startServer, type RunningServer, type StartServerOptions } from './start-server.js';
export { defaultModelPath, ensureDefaultModel, DEFAULT_MODEL_NAME } from './default-model.js';
export {
  EXTENSIONS,
  extensionServerOptions,
  type ExtensionPlugins,
  type ServerExtension,
} from './extensions.js';
export { SERVE_OPTIONS, type OptionSpec } from './option-specs.js';
export type { StartupSummary } from './startup-summary.js';
