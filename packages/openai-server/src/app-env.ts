/**
 * The per-request variables the middleware and routes share through Hono's
 * context, and what the runtime passes along.
 * @module
 */
import type { HttpBindings } from '@hono/node-server';
import type { ApiError } from './errors.js';
import type { RequestJourney } from './request-journey.js';

/** Hono environment of the OpenAI app. */
export interface AppEnv {
  /** Node's request and response when served by `listen`; other runtimes pass none. */
  Bindings: Partial<HttpBindings>;
  Variables: {
    /** Set on the generation routes from arrival on. */
    journey: RequestJourney;
    /** The error sent, if any: the journey's abort reason and the log line's. */
    apiError: ApiError;
  };
}
