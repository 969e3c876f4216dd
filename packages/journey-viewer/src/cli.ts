#!/usr/bin/env node
/**
 * `x-journey-viewer [trace.json] [--port N] [--host H]`: serves the viewer's
 * page on loopback to open saved OTLP-JSON traces (by argument, file picker
 * or drag and drop), until Ctrl-C.
 * @module
 */
import { parseArgs } from 'node:util';
import { serveOfflineViewer } from './serve-offline.js';

const USAGE = `usage: x-journey-viewer [trace.json] [--port N] [--host 127.0.0.1]

Serves the journey viewer's page to open OTLP-JSON traces of @x/tracing's spans
(the file given here, or any other through the page's file picker or by drag and drop).
  --port N   port to listen on (default 0: any free port)
  --host H   address to bind (default 127.0.0.1)`;

try {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      port: { type: 'string', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
  } else {
    const port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535 || positionals.length > 1) throw new Error(USAGE);
    const viewer = await serveOfflineViewer({
      host: values.host,
      port,
      ...(positionals[0] !== undefined && { traceFile: positionals[0] }),
    });
    process.stdout.write(`journey viewer: ${viewer.url}\n`);
    process.once('SIGINT', () => void viewer.close());
    process.once('SIGTERM', () => void viewer.close());
  }
} catch (error) {
  process.stderr.write(`x-journey-viewer: ${(error as Error).message}\n`);
  process.exitCode = 2;
}
