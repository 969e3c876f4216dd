/**
 * A loopback OTLP/HTTP receiver for tests: healthy, failing with 500, or
 * hanging forever. It keeps the raw bodies; {@link decodeTraceRequest} reads them.
 * @module
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeTraceRequest, type WireSpan } from './otlp-decode.js';

/** How the receiver answers. */
export type ReceiverMode = 'ok' | 'error500' | 'hang';

/** A running receiver and the bodies it got. */
export interface Receiver {
  readonly url: string;
  /** Request bodies read so far (chunked or not). */
  readonly bodies: Buffer[];
  /** Content types seen. */
  readonly contentTypes: string[];
  /** Every span received so far, decoded. */
  spans(): WireSpan[];
  close(): Promise<void>;
}

/** Starts a receiver on 127.0.0.1 at a free port. */
export async function startReceiver(mode: ReceiverMode): Promise<Receiver> {
  const bodies: Buffer[] = [];
  const contentTypes: string[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      bodies.push(Buffer.concat(chunks));
      contentTypes.push(req.headers['content-type'] ?? '');
      if (mode === 'hang') return;
      res.writeHead(mode === 'ok' ? 200 : 500, { 'content-type': 'application/x-protobuf' });
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1/traces`,
    bodies,
    contentTypes,
    spans: () => bodies.flatMap((body) => decodeTraceRequest(body)),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A loopback URL nothing listens on (a port just freed). */
export async function refusedUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/v1/traces`;
}
