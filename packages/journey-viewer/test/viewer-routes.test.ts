/**
 * The viewer's routes on a real loopback server: the page and every module
 * it loads, the snapshot, the live event stream (snapshot first, then
 * updates; nothing watched once the page leaves), the key check, and close.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterEach, describe, expect, test } from '@jest/globals';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { createJourneyViewer, type JourneyViewer } from '../src/index.js';
import type { JourneySnapshot, JourneyUpdate } from '../src/shared/journey-types.js';
import { runToEnd, tinyScheduler, tokens } from './support/fake-loop.js';
import { sseEvents } from './support/sse.js';

interface Served {
  readonly url: string;
  readonly viewer: JourneyViewer;
  close(): Promise<void>;
}

const servers: Served[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

/** A viewer (and a scheduler feeding it) with its routes at `path`, on loopback. */
async function serveViewer(
  path = '/journeys',
  apiKeys: string[] = [],
): Promise<Served & { run(id: string): void }> {
  const viewer = createJourneyViewer({ flushIntervalMs: 10 });
  const scheduler = tinyScheduler({ numBlocks: 64 });
  scheduler.use(viewer.schedulerPlugin);
  const app = new Hono();
  app.route(path, viewer.routes({ apiKeys }));
  const server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s as Server));
  });
  const served = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`,
    viewer,
    run(id: string) {
      scheduler.addRequest({
        requestId: id,
        promptTokenIds: tokens(5),
        sampling: { maxTokens: 2, ignoreEos: true },
      });
      runToEnd(scheduler);
    },
    close: async () => {
      viewer.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  servers.push(served);
  return served;
}

describe('the page', () => {
  test.each(['/journeys', '/ops/viewer'])('served at %s, every module it loads resolves', async (path) => {
    const { url } = await serveViewer(path);
    const page = await fetch(url);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).toContain(`<base href="${path}/" />`);
    const base = `${url}/`;
    const importMap = JSON.parse(/<script type="importmap">([\s\S]*?)<\/script>/.exec(html)![1]!) as {
      imports: Record<string, string>;
    };
    const linked = [...html.matchAll(/(?:href|src)="(assets\/[^"]+)"/g)].map(
      (m) => new URL(m[1]!, base).href,
    );
    const pending = [...linked, ...Object.values(importMap.imports).map((u) => new URL(u, base).href)];
    const seen = new Set<string>();
    while (pending.length > 0) {
      const next = pending.pop()!;
      if (seen.has(next)) continue;
      seen.add(next);
      const res = await fetch(next);
      expect([next, res.status]).toEqual([next, 200]);
      const text = await res.text();
      if (!next.endsWith('.js')) continue;
      expect(res.headers.get('content-type')).toMatch(/^text\/javascript/);
      for (const m of text.matchAll(/from '(\.{1,2}\/[^']+)'/g)) pending.push(new URL(m[1]!, next).href);
    }
    expect([...seen].some((u) => u.endsWith('/assets/page/main.js'))).toBe(true);
    expect([...seen].some((u) => u.endsWith('/assets/shared/otlp-json.js'))).toBe(true);
    expect([...seen].some((u) => u.endsWith('/assets/vendor/uplot.esm.js'))).toBe(true);
  });

  test('served with a trailing slash too, its base unchanged', async () => {
    const { url } = await serveViewer();
    const page = await fetch(`${url}/`);
    expect([page.status, page.headers.get('content-type')]).toEqual([
      200,
      expect.stringMatching(/^text\/html/),
    ]);
    expect(await page.text()).toContain('<base href="/journeys/" />');
  });

  test('anything but a listed asset is a 404', async () => {
    const { url } = await serveViewer();
    for (const path of [
      'assets/nope.js',
      'assets/..%2F..%2Fpackage.json',
      'assets/page/main.d.ts',
      'trace.json',
    ]) {
      expect([path, (await fetch(`${url}/${path}`)).status]).toEqual([path, 404]);
    }
  });

  test('config.json says the feed is live', async () => {
    const { url } = await serveViewer();
    expect(await (await fetch(`${url}/config.json`)).json()).toEqual({ live: true, trace: null });
  });
});

describe('data', () => {
  test('the snapshot holds what the recorder kept', async () => {
    const served = await serveViewer();
    served.run('one');
    const snapshot = (await (await fetch(`${served.url}/snapshot`)).json()) as JourneySnapshot;
    expect(snapshot.journeys.map((j) => j.id)).toEqual(['one']);
    expect(snapshot.steps.length).toBeGreaterThan(0);
    expect(snapshot).toMatchObject({ maxRequests: 500, maxSteps: 3600 });
  });

  test('the event stream sends a snapshot, then updates; a page that leaves stops the watching', async () => {
    const served = await serveViewer();
    served.run('before');
    const controller = new AbortController();
    const res = await fetch(`${served.url}/events`, { signal: controller.signal });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = sseEvents(res);
    const first = (await events.next()).value!;
    expect(first.event).toBe('snapshot');
    expect((JSON.parse(first.data) as JourneySnapshot).journeys.map((j) => j.id)).toEqual(['before']);
    served.run('during');
    const update = (await events.next()).value!;
    expect(update.event).toBe('update');
    const body = JSON.parse(update.data) as JourneyUpdate;
    expect(body.journeys.map((j) => j.id)).toEqual(['during']);
    expect(body.journeys[0]!.events.at(-1)).toMatchObject({ type: 'FINISHED', status: 'length' });
    expect(body.steps.length).toBeGreaterThan(0);
    controller.abort();
    await expect(events.next()).rejects.toThrow();
    // The server sees the page go (and with no page left, stops watching the recorder).
    for (let i = 0; i < 250 && served.viewer.pages > 0; i++) await pause(20);
    expect(served.viewer.pages).toBe(0);
  });

  test('close ends the open streams', async () => {
    const served = await serveViewer();
    const events = sseEvents(await fetch(`${served.url}/events`));
    expect((await events.next()).value!.event).toBe('snapshot');
    served.viewer.close();
    expect((await events.next()).done).toBe(true);
  });
});

describe('with API keys', () => {
  const basic = (password: string) => `Basic ${Buffer.from(`anyone:${password}`).toString('base64')}`;

  test.each([
    ['no credentials', undefined, 401],
    ['the key as a bearer token', 'Bearer k1', 200],
    ['the key as the Basic-auth password', basic('k1'), 200],
    ['the second key', 'Bearer k2', 200],
    ['a wrong bearer token', 'Bearer nope', 401],
    ['a wrong password', basic('nope'), 401],
    ['a key with !, # and a space as a bearer token', 'Bearer k!3 #x', 200],
    ['a key with !, # and a space as the password', basic('k!3 #x'), 200],
    ['a prefix of that key', 'Bearer k!3', 401],
  ])('%s: %s', async (_, authorization, status) => {
    const { url } = await serveViewer('/journeys', ['k1', 'k2', 'k!3 #x']);
    for (const path of ['', '/snapshot', '/config.json', '/assets/page/main.js']) {
      const res = await fetch(`${url}${path}`, authorization ? { headers: { authorization } } : {});
      expect([path, res.status]).toEqual([path, status]);
      if (authorization === undefined) {
        expect(res.headers.get('www-authenticate')).toBe('Basic realm="x-llm journey viewer"');
      }
      await res.body?.cancel();
    }
  });
});

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
