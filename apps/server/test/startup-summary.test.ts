/**
 * The start-up summary names the API key's state (never the key), the
 * tracing endpoint (without credentials) and the journey viewer's page.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from '@jest/globals';
import { defaultModelPath, ensureDefaultModel, startServer } from '../src/index.js';
import { EXTENSIONS, extensionServerOptions, type ExtensionPlugins } from '../src/extensions.js';
import { formatSummary } from '../src/startup-summary.js';

const cache = mkdtempSync(join(tmpdir(), 'x-serve-summary-'));
const model = ensureDefaultModel(defaultModelPath({ XDG_CACHE_HOME: cache }));
afterAll(() => rmSync(cache, { recursive: true, force: true }));

const base = { model, host: '127.0.0.1', port: 0, kvCacheMemory: 8 * 2 ** 20, servedModelName: 'tiny' };
const extension = (name: string) => EXTENSIONS.find((e) => e.name === name)!;

test('with a key, tracing and the viewer: the key is "set", the endpoint and the page are named', async () => {
  const settings = {
    apiKey: ['sk-secret-key'],
    enableJourneyTracing: true,
    otlpTracesEndpoint: 'http://user:pass@127.0.0.1:1/v1/traces',
    journeyTracingSampleRate: 1,
    stepTracingEnabled: false,
    stepTracingSampleRate: 1,
    stepTracingRichSubsampleRate: 1,
    enableJourneyViewer: true,
    journeyViewerMaxRequests: 10,
    journeyViewerMaxSteps: 10,
  };
  const active = (await Promise.all(EXTENSIONS.map((e) => e.activate(settings)))) as ExtensionPlugins[];
  const server = await startServer({ ...base, apiKey: settings.apiKey, ...extensionServerOptions(active) });
  try {
    expect(server.summary).toMatchObject({
      apiKey: true,
      extensions: {
        tracing: 'http://127.0.0.1:1/v1/traces',
        'journey viewer': `${server.url}/journeys`,
      },
    });
    const text = formatSummary(server.summary);
    expect(text).toMatch(/^ {2}API key +set: \/v1 needs it$/m);
    expect(text).toMatch(/^ {2}tracing +http:\/\/127\.0\.0\.1:1\/v1\/traces$/m);
    expect(text).toContain(`journey viewer ${server.url}/journeys`);
    expect(JSON.stringify(server.summary) + text).not.toMatch(/sk-secret-key|pass@/);
  } finally {
    await server.close();
    for (const a of active) await a.close?.();
  }
});

test('without a key: "not set", and no extension rows', async () => {
  expect(await extension('journey-viewer').activate({ enableJourneyViewer: false })).toBeUndefined();
  const server = await startServer(base);
  try {
    expect(server.summary).toMatchObject({ apiKey: false, extensions: {} });
    expect(formatSummary(server.summary)).toMatch(/^ {2}API key +not set: \/v1 is open$/m);
  } finally {
    await server.close();
  }
});
