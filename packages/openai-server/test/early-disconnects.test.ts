/**
 * A client that goes away before, while or after its request is queued: the
 * request always ends as aborted (logged as 499), never runs to the end, and
 * leaves the engine with nothing running and every KV block free. The race is
 * tested deterministically by aborting the request's signal at each point,
 * then with real sockets closed right after sending.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { pino } from 'pino';
import { MODEL, postJson, startTestServer, waitFor, type TestServer } from './fixtures.js';

/** A request's log line. */
interface RequestLine {
  requestId: string;
  status: number;
  reason?: string;
  completionTokens: number;
}

const lines: RequestLine[] = [];
let server: TestServer;
beforeAll(async () => {
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  server = await startTestServer({ logger });
});
afterAll(() => server.close());

const LONG = { model: MODEL, prompt: 'Once upon a time', max_tokens: 200, ignore_eos: true };
const finished = () => ({ ...server.engine.core.stats.counters.finished });
const idle = async () => {
  await waitFor(() => !server.engine.core.busy, 30_000);
  expect(server.engine.core.scheduler.kvCacheUsage().blocksUsed).toBe(0);
};

/** Where the client leaves, in the order a request gets there. */
type Point = 'before its body is read' | 'while its body is read' | 'at the hand-off' | 'once generating';

describe.each([false, true])('stream: %s', (stream) => {
  /**
   * Sends `LONG` through the app with a signal (the connection's) aborted at `point`; checks that the
   * request ended as a disconnect and left the engine idle; returns its hook events and status.
   */
  async function leave(point: Point) {
    const controller = new AbortController();
    const abort = () => controller.abort();
    const json = JSON.stringify({ ...LONG, stream });
    if (point === 'before its body is read') abort();
    const body =
      point === 'while its body is read'
        ? new ReadableStream({
            pull(stream) {
              abort();
              stream.enqueue(new TextEncoder().encode(json));
              stream.close();
            },
          })
        : json;
    const events: string[] = [];
    const off = server.app.use({
      onHandoff: () => {
        events.push('handoff');
        if (point === 'at the hand-off') abort();
      },
      onFirstResponse: () => point === 'once generating' && abort(),
      onAborted: (_, reason) => void events.push(`aborted: ${reason}`),
      onDeparted: () => void events.push('departed'),
    });
    const logged = lines.length;
    try {
      const init = { method: 'POST', headers: { 'content-type': 'application/json' }, body, duplex: 'half' };
      const res = await server.app.fetch(
        new Request('http://localhost/v1/completions', { ...init, signal: controller.signal } as RequestInit),
      );
      await waitFor(() => lines.length > logged, 30_000);
      await res.body?.cancel();
      expect(lines.slice(logged)).toMatchObject([{ status: 499, reason: 'client disconnected' }]);
      await idle();
      return { status: res.status, events };
    } finally {
      off();
    }
  }

  test.each<Point>(['before its body is read', 'while its body is read'])(
    'a client gone %s: 499, nothing reaches the engine',
    async (point) => {
      const before = finished();
      const { status, events } = await leave(point);
      expect(status).toBe(499);
      expect(events).toEqual(['aborted: client disconnected']);
      expect(finished()).toEqual(before);
    },
  );

  test.each<Point>(['at the hand-off', 'once generating'])(
    'a client gone %s: aborted in the engine, counted as an abort',
    async (point) => {
      const before = finished();
      const { status, events } = await leave(point);
      expect(status).toBe(stream ? 200 : 499);
      expect(events).toEqual(['handoff', 'aborted: client disconnected']);
      expect(finished()).toEqual({ ...before, abort: before.abort + 1 });
    },
  );
});

test('sockets closed right after sending: every request ends as a 499, none runs to the end', async () => {
  const before = finished();
  const logged = lines.length;
  const { port } = new URL(server.url);
  // A busy engine, so that some closes arrive with their request, before it is read.
  const load = Array.from({ length: 4 }, () =>
    postJson(`${server.url}/v1/completions`, { ...LONG, n: 8, max_tokens: 100 })
      .then((r) => r.json())
      .then((r) => (r as { id: string }).id),
  );
  await waitFor(() => server.engine.core.scheduler.numRunning > 0);
  const count = 24;
  await Promise.all(
    Array.from({ length: count }, (_, i) => {
      const body = JSON.stringify({ ...LONG, stream: i % 2 === 0 });
      const request =
        `POST /v1/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
      return new Promise<void>((resolve) => {
        const socket = connect({ host: '127.0.0.1', port: Number(port) }, () => {
          // Closed with the request (one packet) or 0–2 ms after it, so the close lands at different points.
          if (i % 4 === 3) socket.end(request);
          else socket.write(request, () => setTimeout(() => socket.destroy(), i % 4));
        });
        socket.on('error', () => {}).on('close', () => resolve());
      });
    }),
  );
  const loadIds = await Promise.all(load);
  await waitFor(() => lines.length === logged + count + load.length, 60_000);
  const closed = lines.slice(logged).filter((line) => !loadIds.includes(line.requestId));
  expect(closed).toHaveLength(count);
  for (const line of closed) expect(line).toMatchObject({ status: 499, reason: 'client disconnected' });
  await idle();
  const after = finished();
  // Only the load ran to its end.
  expect([after.stop, after.length, after.error]).toEqual([before.stop, before.length + 32, before.error]);
});

test('a socket closed halfway through its body: 499, not a 400 for the cut JSON', async () => {
  const logged = lines.length;
  const body = JSON.stringify(LONG);
  const { port } = new URL(server.url);
  const socket = connect({ host: '127.0.0.1', port: Number(port) }, () => {
    socket.write(
      `POST /v1/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, 20)}`,
      () => setTimeout(() => socket.destroy(), 5),
    );
  });
  socket.on('error', () => {});
  await waitFor(() => lines.length > logged, 30_000);
  expect(lines.slice(logged)).toMatchObject([{ status: 499, reason: 'client disconnected' }]);
  await idle();
});
