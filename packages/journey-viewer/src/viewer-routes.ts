/**
 * The viewer's HTTP routes as a Hono app, to mount under a path of the
 * server (`app.route('/journeys', routes)`): the page and its assets, its
 * settings, and — when a recorder is attached — the snapshot and the live
 * event stream. Everything is read-only: the routes only read what the
 * recorder kept.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { JourneyRecorder } from './journey-recorder.js';
import type { LiveFeed } from './live-feed.js';
import { pageHtml, viewerAssets } from './static-assets.js';
import { viewerAuth } from './viewer-auth.js';

/** What the routes serve. */
export interface ViewerRoutesOptions {
  /** The live source; without it the page only opens trace files. */
  readonly live?: { readonly recorder: JourneyRecorder; readonly feed: LiveFeed };
  /** When given, every route needs one of these keys (Bearer, or Basic-auth password). */
  readonly apiKeys?: readonly string[];
  /** An OTLP-JSON file the page opens on load (the offline server's argument). */
  readonly traceFile?: string;
}

/** What `config.json` tells the page. */
export interface ViewerConfig {
  readonly live: boolean;
  /** A trace to open at once (its relative URL and file name), or null. */
  readonly trace: { readonly url: string; readonly name: string } | null;
}

/** Builds the routes; mount them with `app.route(path, viewerRoutes(...))` before the server takes requests. */
export function viewerRoutes(options: ViewerRoutesOptions = {}): Hono {
  const { live, traceFile } = options;
  const app = new Hono();
  if (options.apiKeys?.length) app.use(viewerAuth(options.apiKeys));
  // The page at the mount path and with its trailing slash (`/journeys/`): `/` alone merges into the mount path.
  app.on('GET', ['/', '/:trailingSlash{^$}'], (c) => c.html(pageHtml(c.req.path)));
  app.get('/config.json', (c) =>
    c.json({
      live: live !== undefined,
      trace: traceFile === undefined ? null : { url: 'trace.json', name: basename(traceFile) },
    } satisfies ViewerConfig),
  );
  app.get('/assets/:name{.+}', async (c) => {
    const asset = viewerAssets().get(c.req.param('name'));
    if (asset === undefined) return c.notFound();
    return c.body(await readFile(asset.path), 200, {
      'content-type': asset.contentType,
      'cache-control': 'no-cache',
    });
  });
  if (traceFile !== undefined) {
    app.get('/trace.json', async (c) =>
      c.body(await readFile(traceFile), 200, { 'content-type': 'application/json' }),
    );
  }
  if (live !== undefined) {
    app.get('/snapshot', (c) =>
      c.body(JSON.stringify(live.recorder.snapshot()), 200, { 'content-type': 'application/json' }),
    );
    app.get('/events', (c) =>
      streamSSE(c, async (stream) => {
        let unsubscribe = () => {};
        await new Promise<void>((resolve) => {
          stream.onAbort(resolve);
          unsubscribe = live.feed.subscribe((message) => stream.writeSSE(message), resolve);
        });
        unsubscribe();
      }),
    );
  }
  return app;
}
