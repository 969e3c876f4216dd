/**
 * The journey viewer for `x-serve`: its flags, and the extension that turns
 * them into the `@x/journey-viewer` plugins and its page at `/journeys`.
 * Off by default; the package is loaded only when `--enable-journey-viewer`
 * is given, so with the flag off no hook is subscribed at all.
 * @module
 */
import type * as Viewer from '@x/journey-viewer';
import type { ServerExtension } from './extensions.js';
import { boolean, integer } from './parsers.js';
import { ConfigError, type ResolvedOptions } from './resolve-config.js';

/** Where the page and its data endpoints are served. */
export const JOURNEY_VIEWER_PATH = '/journeys';

/** `--enable-journey-viewer` and its memory bounds. */
export const journeyViewer: ServerExtension = {
  name: 'journey-viewer',
  options: [
    {
      name: 'enable-journey-viewer',
      description: `a live page of recent request journeys and scheduler steps at ${JOURNEY_VIEWER_PATH} (needs --api-key's key when one is set)`,
      parse: boolean,
      default: false,
    },
    {
      name: 'journey-viewer-max-requests',
      value: '<n>',
      description: 'journeys the viewer keeps in memory, oldest dropped first',
      parse: integer(1),
      default: 500,
    },
    {
      name: 'journey-viewer-max-steps',
      value: '<n>',
      description: 'scheduler step summaries the viewer keeps in memory',
      parse: integer(1),
      default: 3600,
    },
  ],
  async activate(options: ResolvedOptions) {
    if (!options.enableJourneyViewer) return undefined;
    let viewerPackage: typeof Viewer;
    try {
      viewerPackage = await import('@x/journey-viewer');
    } catch (error) {
      throw new ConfigError(
        `--enable-journey-viewer needs the @x/journey-viewer package (${(error as Error).message})`,
      );
    }
    const viewer = viewerPackage.createJourneyViewer({
      maxRequests: options.journeyViewerMaxRequests as number,
      maxSteps: options.journeyViewerMaxSteps as number,
    });
    const apiKeys = (options.apiKey as readonly string[] | undefined) ?? [];
    return {
      plugins: [viewer.serverPlugin],
      schedulerPlugins: [viewer.schedulerPlugin],
      routes: (app) => app.route(JOURNEY_VIEWER_PATH, viewer.routes({ apiKeys })),
      closing: () => viewer.close(),
      summary: (url) => ({ 'journey viewer': `${url}${JOURNEY_VIEWER_PATH}` }),
    };
  },
};
