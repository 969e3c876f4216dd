/**
 * Starts a generation request's journey on arrival (before anything is
 * validated): its response id, the trace headers for the engine and the
 * `onArrived` hook. A request answered with an error status ends as aborted.
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app-env.js';
import type { ServerRequestInfo } from '../hooks.js';
import type { PluginHub } from '../plugin-hub.js';
import { RequestJourney, type JourneyEnd } from '../request-journey.js';

const ID_PREFIX = { 'chat.completions': 'chatcmpl-', completions: 'cmpl-', responses: 'resp_' } as const;

/** The journey middleware for one endpoint; `onEnd` receives each request's summary for its log line. */
export const trackRequest = (
  hub: PluginHub,
  endpoint: ServerRequestInfo['endpoint'],
  onEnd: (end: JourneyEnd) => void,
): MiddlewareHandler<AppEnv> => {
  const prefix = ID_PREFIX[endpoint];
  return async function trackRequest(c, next) {
    const info: ServerRequestInfo = {
      requestId: prefix + randomUUID().replaceAll('-', ''),
      endpoint,
      headers: c.req.header(),
      arrivalEpochMs: Date.now(),
      arrivalMonotonicNs: performance.now() * 1e6,
    };
    const journey = new RequestJourney(hub, info, onEnd);
    c.set('journey', journey);
    await next();
    // Errors answered before or instead of a stream (validation, auth, limits, faults).
    if (c.res.status >= 400)
      journey.abort(c.get('apiError')?.message ?? `HTTP ${c.res.status}`, c.res.status);
  };
};
