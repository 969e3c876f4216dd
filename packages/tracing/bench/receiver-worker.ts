/**
 * An OTLP/HTTP sink on 127.0.0.1 in a worker thread: it reads each export
 * body and answers 200, so the exporter does its real work (serialize, send)
 * while the receiving side costs the measured thread nothing.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parentPort } from 'node:worker_threads';

let bytes = 0;
const server = createServer((req, res) => {
  req.on('data', (chunk: Buffer) => (bytes += chunk.length));
  req.on('end', () => res.writeHead(200).end());
});
server.listen(0, '127.0.0.1', () => {
  parentPort!.postMessage({ port: (server.address() as AddressInfo).port });
});
parentPort!.on('message', (message: string) => {
  if (message === 'bytes') parentPort!.postMessage({ bytes });
  if (message === 'close') server.close(() => process.exit(0));
});
