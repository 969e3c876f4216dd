/**
 * Fail-open guard: tracing must never fail, delay or reorder a request. Every
 * hook body catches everything and hands it to {@link FailOpen.report}, which
 * logs the first failure of each kind at debug level.
 * @module
 */
import { debuglog } from 'node:util';

/** Receives the plugin's own failures. */
export interface TracingLogger {
  debug(message: string, error?: unknown): void;
}

/** The default logger: silent unless `NODE_DEBUG=x-tracing`. */
export const debugLogger: TracingLogger = {
  debug: (() => {
    const log = debuglog('x-tracing');
    return (message: string, error?: unknown) => log('%s %o', message, error);
  })(),
};

/** Swallows and reports (once per label) what a hook throws. */
export class FailOpen {
  readonly #logger: TracingLogger;
  readonly #reported = new Set<string>();

  constructor(logger: TracingLogger) {
    this.#logger = logger;
  }

  /** Reports `error` under `label` unless that label was already reported. */
  report(label: string, error: unknown): void {
    if (this.#reported.has(label)) return;
    this.#reported.add(label);
    try {
      this.#logger.debug(
        `[@x/tracing] ${label} failed; tracing goes on and this is not reported again`,
        error,
      );
    } catch {
      // A broken logger is one more thing tracing must survive.
    }
  }
}
