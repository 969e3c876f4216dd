/**
 * The composition root: a recorder (the two plugins), the live feed over it,
 * and the routes that serve the page, its snapshot and its event stream.
 * @module
 */
import type { ServerPlugin } from '@x/openai-server';
import type { SchedulerPlugin } from '@x/scheduler';
import type { Hono } from 'hono';
import { JourneyRecorder, type JourneyRecorderOptions } from './journey-recorder.js';
import { LiveFeed } from './live-feed.js';
import type { JourneySnapshot } from './shared/journey-types.js';
import { viewerRoutes } from './viewer-routes.js';

/** Options of {@link createJourneyViewer}. */
export interface JourneyViewerOptions extends JourneyRecorderOptions {
  /** How often open pages get what changed, in ms; default 250. */
  readonly flushIntervalMs?: number;
}

/** What {@link createJourneyViewer} returns. */
export interface JourneyViewer {
  /** Subscribe to the HTTP server: `createApp({ plugins: [serverPlugin] })` or `app.use(serverPlugin)`. */
  readonly serverPlugin: ServerPlugin;
  /** Subscribe to the scheduler: `engine.use(schedulerPlugin)`. */
  readonly schedulerPlugin: SchedulerPlugin;
  /** Pages following the live feed now; with none, the recorder is not even watched. */
  readonly pages: number;
  /** The kept journeys (oldest first) and steps, as `/journeys/snapshot` sends them. */
  snapshot(): JourneySnapshot;
  /**
   * The page, its assets, `snapshot` and `events` (server-sent events) as a
   * Hono app: `app.hono.route('/journeys', viewer.routes())`, before the
   * server takes its first request. With `apiKeys`, each route needs one
   * (as a Bearer token, or as the password of HTTP Basic auth from a browser).
   */
  routes(options?: { readonly apiKeys?: readonly string[] }): Hono;
  /** Ends the open pages' event streams (they reconnect by themselves to a new server). */
  close(): void;
}

/** Builds a viewer; throws a RangeError when a bound is not a positive integer. */
export function createJourneyViewer(options: JourneyViewerOptions = {}): JourneyViewer {
  const recorder = new JourneyRecorder(options);
  const feed = new LiveFeed(recorder, options.flushIntervalMs ?? 250);
  return {
    serverPlugin: recorder.serverPlugin,
    schedulerPlugin: recorder.schedulerPlugin,
    get pages() {
      return feed.clients;
    },
    snapshot: () => recorder.snapshot(),
    routes: (routeOptions = {}) =>
      viewerRoutes({
        live: { recorder, feed },
        ...(routeOptions.apiKeys && { apiKeys: routeOptions.apiKeys }),
      }),
    close: () => feed.close(),
  };
}
