/**
 * An example third-party plugin for x-llm, written only against the public
 * hook APIs of `@x/openai-server` and `@x/scheduler`: see
 * `docs/writing-plugins.md`.
 * @module
 */
export {
  createJourneyLogger,
  type JourneyLine,
  type JourneyLogger,
  type JourneyLoggerOptions,
} from './journey-logger.js';
