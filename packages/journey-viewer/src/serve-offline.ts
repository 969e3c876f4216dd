/**
 * The viewer on its own, with no engine behind it: a loopback server for the
 * page, to open saved OTLP-JSON traces (the page runs as ES modules and loads
 * uPlot from this package's dependencies, so it is served, not opened as a file).
 * @module
 */
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { viewerRoutes } from './viewer-routes.js';

/** Options of {@link serveOfflineViewer}. */
export interface OfflineViewerOptions {
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 0: any free port. */
  readonly port?: number;
  /** An OTLP-JSON file the page opens at once. */
  readonly traceFile?: string;
}

/** A running offline viewer. */
export interface OfflineViewer {
  /** The page's address (`http://127.0.0.1:port/journeys`). */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Serves the page at `/journeys` (and redirects `/` there); rejects before
 * listening when the trace file cannot be read as JSON.
 */
export async function serveOfflineViewer(options: OfflineViewerOptions = {}): Promise<OfflineViewer> {
  if (options.traceFile !== undefined) await checkTraceFile(options.traceFile);
  const app = new Hono();
  app.route(
    '/journeys',
    viewerRoutes(options.traceFile === undefined ? {} : { traceFile: options.traceFile }),
  );
  app.get('/', (c) => c.redirect('/journeys'));
  return new Promise((resolve, reject) => {
    const server = serve(
      { fetch: app.fetch, hostname: options.host ?? '127.0.0.1', port: options.port ?? 0 },
      (info: AddressInfo) => {
        server.off('error', reject);
        const host = info.family === 'IPv6' ? `[${info.address}]` : info.address;
        resolve({
          url: `http://${host}:${info.port}/journeys`,
          close: () => new Promise((done) => server.close(() => done())),
        });
      },
    ) as Server;
    server.once('error', reject);
  });
}

/** Fails with a message naming the file when it is missing, unreadable or not JSON. */
async function checkTraceFile(path: string): Promise<void> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new Error(`cannot read the trace file ${path}: ${reason}`, { cause: error });
  }
  try {
    JSON.parse(text);
  } catch (error) {
    throw new Error(`the trace file ${path} is not JSON`, { cause: error });
  }
}
