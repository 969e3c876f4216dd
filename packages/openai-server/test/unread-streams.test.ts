/**
 * Clients that do not read their stream: once more than the buffer limit
 * waits for them, or nothing was taken for the stall timeout, the request is
 * aborted in the engine (its KV blocks freed) and logged as 499, and the
 * connection is closed; a client that reads gets every event.
 */
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { pino } from 'pino';
import { createApp, type AppOptions, type OpenAIApp } from '../src/index.js';
import { MODEL, startTestServer, streamedCompletion, waitFor, type TestServer } from './fixtures.js';

/** A request's log line. */
interface RequestLine {
  status: number;
  reason?: string;
  latencyMs: number;
  completionTokens: number;
}

/** A logger that keeps each request's line. */
function lineLogger() {
  const lines: RequestLine[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { lines, logger };
}

const served = lineLogger();
let server: TestServer;
const apps: OpenAIApp[] = [];
beforeAll(async () => {
  server = await startTestServer({ logger: served.logger, maxStreamBufferBytes: 256 * 1024 });
});
afterAll(async () => {
  for (const app of apps) app.close();
  await server.close();
});

/** Another app over the test engine, with its own limits and log, called without a network. */
function appWith(options: Partial<AppOptions>) {
  const { lines, logger } = lineLogger();
  const app = createApp({
    engine: server.engine,
    servedModelName: MODEL,
    logger,
    logStats: false,
    ...options,
  });
  apps.push(app);
  const post = (body: object) =>
    app.fetch(
      new Request('http://localhost/v1/completions', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: MODEL, prompt: 'Once upon a time', stream: true, ...body }),
      }),
    );
  return { lines, post };
}

const finished = () => ({ ...server.engine.core.stats.counters.finished });
const idle = async () => {
  await waitFor(() => !server.engine.core.busy, 30_000);
  expect(server.engine.core.scheduler.kvCacheUsage().blocksUsed).toBe(0);
};

test('a stream nobody reads is cut off once more than the buffer limit waits: aborted in the engine, 499', async () => {
  const { lines, post } = appWith({ maxStreamBufferBytes: 16 * 1024 });
  const before = finished();
  const res = await post({ n: 2, logprobs: 5, max_tokens: 300, ignore_eos: true });
  expect(res.status).toBe(200);
  await waitFor(() => lines.length === 1, 30_000);
  expect(lines[0]).toMatchObject({
    status: 499,
    reason: 'the client did not read its stream: more than 16384 bytes were waiting',
  });
  await idle();
  expect(finished()).toEqual({ ...before, abort: before.abort + 2 });
  await expect(res.text()).rejects.toThrow(/more than 16384 bytes/);
});

/**
 * Long enough for 4 tokens to be generated first even with every package's tests sharing 2 cores
 * (a step takes tens of ms; at 300 ms the cut once came before the end), so the cut is the stall's.
 */
const STALL_MS = 3000;

test('a client that stops reading is cut off after the stall timeout, even once the generation is done', async () => {
  const { lines, post } = appWith({ streamStallTimeoutMs: STALL_MS });
  const before = finished();
  const res = await post({ max_tokens: 4, ignore_eos: true });
  const reader = res.body!.getReader();
  await reader.read();
  await waitFor(() => lines.length === 1, 30_000);
  // The engine finished the request; the client never got it, so it is not a 200.
  expect(finished()).toEqual({ ...before, length: before.length + 1 });
  expect(lines[0]).toMatchObject({
    status: 499,
    reason: `the client did not read its stream for ${STALL_MS} ms`,
  });
  expect(lines[0]!.latencyMs).toBeGreaterThanOrEqual(STALL_MS);
  await expect(reader.read()).rejects.toThrow(`${STALL_MS} ms`);
  await idle();
});

test('a client that reads gets every event within the same limits', async () => {
  const { lines, post } = appWith({ maxStreamBufferBytes: 16 * 1024, streamStallTimeoutMs: STALL_MS });
  const res = await post({ n: 2, logprobs: 5, max_tokens: 100, ignore_eos: true });
  const { text, events } = await streamedCompletion(res);
  expect(events.at(-1)).toBe('[DONE]');
  expect(text).toHaveLength(2);
  await waitFor(() => lines.length === 1);
  expect(lines[0]).toMatchObject({ status: 200, completionTokens: 200 });
});

test('over a socket that is never read, the server cuts the connection and frees the engine', async () => {
  const before = finished();
  // About 10 MB of events: more than Linux's socket buffers hold by default (4 MiB sent, unread).
  const body = JSON.stringify({
    model: MODEL,
    messages: [{ role: 'user', content: 'Once upon a time' }],
    stream: true,
    n: 16,
    logprobs: true,
    top_logprobs: 20,
    max_tokens: 450,
    ignore_eos: true,
  });
  const { port } = new URL(server.url);
  const socket: Socket = connect({ host: '127.0.0.1', port: Number(port) });
  socket.write(
    `POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  socket.pause();
  try {
    await waitFor(() => served.lines.length === 1, 120_000);
    expect(served.lines[0]).toMatchObject({
      status: 499,
      reason: 'the client did not read its stream: more than 262144 bytes were waiting',
    });
    await idle();
    expect(finished()).toEqual({ ...before, abort: before.abort + 16 });
    // What the kernel held still arrives, then the connection ends, without [DONE].
    let received = '';
    socket.setEncoding('utf8').on('data', (text: string) => void (received = received.slice(-64) + text));
    const closed = new Promise((resolve) => socket.once('close', resolve));
    socket.resume();
    await closed;
    expect(received).not.toContain('[DONE]');
  } finally {
    socket.destroy();
  }
});

test('limits that are not positive are refused', () => {
  for (const limits of [
    { maxStreamBufferBytes: 0 },
    { streamStallTimeoutMs: -1 },
    { streamStallTimeoutMs: NaN },
  ])
    expect(() => createApp({ engine: server.engine, servedModelName: MODEL, ...limits })).toThrow(
      /must be positive/,
    );
});
