/**
 * The journey-viewer flags: off by default (nothing subscribed, no route),
 * the page and its data at /journeys behind the server's API keys, and a
 * shutdown that an open page's event stream does not hold up.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from '@jest/globals';
import {
  defaultModelPath,
  ensureDefaultModel,
  EXTENSIONS,
  extensionServerOptions,
  startServer,
  type ExtensionPlugins,
} from '../src/index.js';
import { CLI, serverEnv, spawnServer } from './support/spawn-server.js';

const cache = mkdtempSync(join(tmpdir(), 'x-serve-viewer-'));
const model = ensureDefaultModel(defaultModelPath({ XDG_CACHE_HOME: cache }));
afterAll(() => rmSync(cache, { recursive: true, force: true }));

const base = { model, host: '127.0.0.1', port: 0, kvCacheMemory: 8 * 2 ** 20, servedModelName: 'tiny' };
const viewerExtension = EXTENSIONS.find((e) => e.name === 'journey-viewer')!;
const settings = { enableJourneyViewer: true, journeyViewerMaxRequests: 50, journeyViewerMaxSteps: 100 };

const run = (args: string[]) =>
  spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: serverEnv(cache), timeout: 30_000 });

const complete = (url: string, headers: Record<string, string> = {}) =>
  fetch(`${url}/v1/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model: 'tiny', prompt: 'Hello', max_tokens: 4 }),
  });

describe('flags', () => {
  test('--help lists them', () => {
    const r = run(['--help']);
    for (const flag of [
      '--enable-journey-viewer',
      '--journey-viewer-max-requests',
      '--journey-viewer-max-steps',
    ]) {
      expect(r.stdout).toContain(flag);
    }
  });

  test('a bound that is not a positive integer exits 2', () => {
    const r = run(['--enable-journey-viewer', '--journey-viewer-max-requests', '0']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--journey-viewer-max-requests.*expected an integer ≥ 1, got "0"/);
  });

  test('off by default: no plugin, no route', async () => {
    expect(await viewerExtension.activate({ enableJourneyViewer: false })).toBeUndefined();
    const server = await startServer(base);
    try {
      expect((await fetch(`${server.url}/journeys`)).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});

describe('with --enable-journey-viewer and --api-key', () => {
  test('the page and its data need the key; the OpenAI routes are unchanged', async () => {
    const active = (await viewerExtension.activate({ ...settings, apiKey: ['sk-a'] })) as ExtensionPlugins;
    const server = await startServer({ ...base, apiKey: ['sk-a'], ...extensionServerOptions([active]) });
    try {
      const bearer = { authorization: 'Bearer sk-a' };
      const refused = await fetch(`${server.url}/journeys`);
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
      expect((await complete(server.url)).status).toBe(401);
      expect((await complete(server.url, bearer)).status).toBe(200);
      const page = await fetch(`${server.url}/journeys`, { headers: bearer });
      expect(await page.text()).toContain('<base href="/journeys/" />');
      const snapshot = (await (
        await fetch(`${server.url}/journeys/snapshot`, { headers: bearer })
      ).json()) as {
        maxRequests: number;
        journeys: { events: { type: string }[] }[];
      };
      expect(snapshot.maxRequests).toBe(50);
      // The refused request stopped at the key check, before any journey; the served one departed.
      expect(snapshot.journeys.map((j) => j.events.map((e) => e.type).at(-1))).toEqual(['DEPARTED']);
    } finally {
      await server.close();
    }
  });

  test('an open page does not hold up shutdown: its stream ends when closing begins', async () => {
    const active = (await viewerExtension.activate(settings)) as ExtensionPlugins;
    // A long grace period: only the closing hook can end the stream before it runs out.
    const server = await startServer({ ...base, shutdownTimeout: 600, ...extensionServerOptions([active]) });
    const stream = await fetch(`${server.url}/journeys/events`);
    const read = stream.text();
    await server.close();
    expect(await read).toMatch(/^event: snapshot\n/);
  });
});

test('x-serve --enable-journey-viewer serves the page, and stops on SIGTERM with it open', async () => {
  const args = [
    '--host',
    '127.0.0.1',
    '--port',
    '0',
    '--kv-cache-memory',
    '8MiB',
    '--served-model-name',
    'tiny',
  ];
  const server = await spawnServer([...args, '--enable-journey-viewer'], serverEnv(cache));
  try {
    expect((await fetch(`${server.url}/journeys`)).status).toBe(200);
    expect((await complete(server.url)).status).toBe(200);
    const stream = await fetch(`${server.url}/journeys/events`);
    const read = stream.text();
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(await read).toMatch(/^event: snapshot\n/);
  } finally {
    server.child.kill('SIGKILL');
  }
});
