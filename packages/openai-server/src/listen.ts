/**
 * Serves an app over HTTP or HTTPS on Node (`@hono/node-server`), with a
 * close that waits for open responses and then cuts what is left.
 * @module
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { serve } from '@hono/node-server';
import type { OpenAIApp } from './app.js';

/** Where and how to listen. */
export interface ListenOptions {
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 8000; 0 picks a free port. */
  readonly port?: number;
  /** PEM key and certificate (chain): serve HTTPS instead of HTTP. */
  readonly tls?: { readonly key: string | Buffer; readonly cert: string | Buffer };
}

/** A listening server. */
export interface ListeningServer {
  /** `http://host:port` (`https:` with `tls`), with the port actually bound. */
  readonly url: string;
  readonly server: Server;
  /**
   * Stops accepting connections, waits up to `graceMs` (default 5000) for
   * open responses to end, then closes every connection.
   */
  close(graceMs?: number): Promise<void>;
}

/** Starts serving `app`; resolves once listening. */
export function listen(app: Pick<OpenAIApp, 'fetch'>, options: ListenOptions = {}): Promise<ListeningServer> {
  const hostname = options.host ?? '127.0.0.1';
  return new Promise((resolve, reject) => {
    const { tls } = options;
    const base = { fetch: app.fetch, hostname, port: options.port ?? 8000 };
    const settings = tls ? { ...base, createServer: createHttpsServer, serverOptions: { ...tls } } : base;
    const server = serve(settings, (info: AddressInfo) => {
      server.off('error', reject);
      const host = info.family === 'IPv6' ? `[${info.address}]` : info.address;
      resolve({
        url: `${tls ? 'https' : 'http'}://${host}:${info.port}`,
        server,
        close: (graceMs) => closeServer(server, graceMs),
      });
    }) as Server;
    server.once('error', reject);
  });
}

function closeServer(server: Server, graceMs = 5000): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => server.closeAllConnections(), graceMs);
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
}
