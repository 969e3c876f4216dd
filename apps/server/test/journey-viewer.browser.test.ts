/**
 * The journey viewer in a real browser (headless Chromium, Debian's
 * `chromium` package, driven by playwright-core): `startServer` with the
 * viewer on, a KV pool small enough to preempt, requests sent with the
 * official `openai` client while the page is open (streamed, not streamed,
 * one abandoned, one refused); then the same requests' OTLP-JSON export from
 * `@x/tracing` opened in the page, by file picker and by drag and drop.
 * Screenshots go to test-output/journey-viewer/.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { setTimeout } from 'node:timers/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import {
  AlwaysOnSampler,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { createJourneyTracing } from '@x/tracing';
import OpenAI from 'openai';
import { chromium, type Browser, type Page } from 'playwright-core';
import {
  defaultModelPath,
  ensureDefaultModel,
  EXTENSIONS,
  extensionServerOptions,
  startServer,
  type ExtensionPlugins,
  type RunningServer,
} from '../src/index.js';

/** Debian's chromium package (`bash tooling/setup` installs it). */
const CHROMIUM = '/usr/bin/chromium';
const OUTPUT = fileURLToPath(new URL('../test-output/journey-viewer/', import.meta.url));
const MODEL = 'tiny';
const IN_FLIGHT = ['arriving', 'queued', 'prefill', 'decode', 'preempted'];

const cache = mkdtempSync(join(tmpdir(), 'x-serve-browser-'));
const spans = new InMemorySpanExporter();
const provider = new TracerProvider({
  sampler: new AlwaysOnSampler(),
  spanLimits: { eventCountLimit: 4096 },
  spanProcessors: [new SimpleSpanProcessor({ exporter: spans })],
});
let server: RunningServer;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];
// The page's globals that the callbacks below use: they run in the browser, and the tests compile
// without the DOM library.
declare const document: {
  querySelectorAll(selectors: string): Iterable<{ getAttribute(name: string): string | null }>;
};
declare const DataTransfer: new () => { readonly items: { add(file: File): void } };

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `headless Chromium is not at ${CHROMIUM}: install Debian's chromium package ` +
        '(bash tooling/setup does: apt-get install -y chromium)',
    );
  }
  mkdirSync(OUTPUT, { recursive: true });
  const viewer = (await EXTENSIONS.find((e) => e.name === 'journey-viewer')!.activate({
    enableJourneyViewer: true,
    journeyViewerMaxRequests: 500,
    journeyViewerMaxSteps: 3600,
  })) as ExtensionPlugins;
  const tracing = createJourneyTracing({
    tracerProvider: provider,
    stepTracing: { enabled: true, richSubsampleRate: 1 },
  });
  server = await startServer({
    model: ensureDefaultModel(defaultModelPath({ XDG_CACHE_HOME: cache })),
    servedModelName: MODEL,
    host: '127.0.0.1',
    port: 0,
    // 16 blocks of 16 tokens: a few requests at once run out of KV cache, and some are preempted.
    numGpuBlocks: 16,
    blockSize: 16,
    maxModelLen: 256,
    maxNumBatchedTokens: 64,
    enablePrefixCaching: false,
    ...extensionServerOptions([
      viewer,
      {
        plugins: [tracing.serverPlugin],
        schedulerPlugins: [tracing.schedulerPlugin],
        close: () => tracing.shutdown(),
      },
    ]),
  });
  browser = await chromium.launch({ executablePath: CHROMIUM });
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(message.text());
  });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await provider.shutdown();
  rmSync(cache, { recursive: true, force: true });
});

/** The rows the page shows: id, status and phases. */
function rows(): Promise<{ id: string; status: string; phases: string[] }[]> {
  return page.$$eval('#rows .row', (elements) =>
    elements.map((row) => ({
      id: row.getAttribute('data-id')!,
      status: row.getAttribute('data-status')!,
      phases: (row.getAttribute('data-phases') ?? '').split(' ').filter(Boolean),
    })),
  );
}

/** Waits until the page shows `count` rows, none of them in flight. */
async function settled(count: number): Promise<void> {
  await page.waitForFunction(
    ([n, inFlight]) => {
      const all = [...document.querySelectorAll('#rows .row')];
      return all.length === n && all.every((row) => !inFlight.includes(row.getAttribute('data-status')!));
    },
    [count, IN_FLIGHT] as const,
    { timeout: 120_000 },
  );
}

/**
 * Sends the workload, a request every 40 ms: 12 completions of four prompt lengths (streamed and
 * not), a stream abandoned after its first chunk, and a request the server refuses.
 */
async function sendRequests(): Promise<{ completed: string[]; abandoned: string }> {
  const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'unused', maxRetries: 0 });
  const completion = async (i: number) => {
    const params = {
      model: MODEL,
      prompt: 'The little robot walked to the sea and looked at the waves. '.repeat(1 + (i % 4)),
      max_tokens: 20 + 4 * i,
      temperature: 0,
      ignore_eos: true,
    };
    if (i % 2 === 0) return (await client.completions.create(params)).id;
    let id = '';
    for await (const chunk of await client.completions.create({ ...params, stream: true as const }))
      id = chunk.id;
    return id;
  };
  const abandon = async () => {
    const controller = new AbortController();
    const params = {
      model: MODEL,
      prompt: 'A story with no end',
      max_tokens: 80,
      stream: true as const,
      ignore_eos: true,
    };
    for await (const chunk of await client.completions.create(params, { signal: controller.signal })) {
      controller.abort();
      return chunk.id;
    }
    throw new Error('the stream ended before its first chunk');
  };
  const completions: Promise<string>[] = [];
  let abandoned: Promise<string> | undefined;
  let refused: Promise<unknown> | undefined;
  for (let i = 0; i < 12; i++) {
    completions.push(completion(i));
    if (i === 3) abandoned = abandon();
    if (i === 5)
      refused = client.completions
        .create({ model: MODEL, prompt: 'x', max_tokens: 0 })
        .catch((e: unknown) => e);
    await setTimeout(40);
  }
  expect(await refused).toBeInstanceOf(OpenAI.BadRequestError);
  return { completed: await Promise.all(completions), abandoned: await abandoned! };
}

test('live: rows appear with their phases and statuses, the step charts fill, a click shows the events', async () => {
  await page.goto(`${server.url}/journeys`);
  await page.waitForSelector('#source[data-state="live"]');
  const { completed, abandoned } = await sendRequests();
  await settled(14);
  const shown = await rows();
  const byId = new Map(shown.map((row) => [row.id, row]));
  for (const id of completed) {
    expect(byId.get(id)).toMatchObject({ status: 'length' });
    expect(byId.get(id)!.phases).toEqual(expect.arrayContaining(['prefill', 'decode']));
  }
  expect(byId.get(abandoned)!.status).toBe('aborted');
  const refused = shown.filter((row) => !completed.includes(row.id) && row.id !== abandoned);
  expect(refused).toEqual([{ id: expect.stringMatching(/^cmpl-/), status: 'rejected', phases: ['api'] }]);
  const preempted = shown.filter((row) => row.phases.includes('preempted'));
  expect(preempted.length).toBeGreaterThan(0);

  for (const chart of ['batch', 'tokens', 'kv', 'preemptions']) {
    const points = Number(await page.getAttribute(`.chart-${chart}`, 'data-points'));
    expect([chart, points > 0]).toEqual([chart, true]);
  }
  expect(await page.textContent('.chart-preemptions .readout')).toMatch(/[1-9]\d* in all/);
  await page.screenshot({ path: join(OUTPUT, 'live.png') });

  await page.click(`#rows .row[data-id="${preempted[0]!.id}"]`);
  await page.waitForSelector('#details:not([hidden])');
  const events = await page.$$eval('#details tr[data-type]', (trs) =>
    trs.map((tr) => tr.getAttribute('data-type')),
  );
  expect(events[0]).toBe('ARRIVED');
  expect(events).toEqual(
    expect.arrayContaining(['QUEUED', 'SCHEDULED', 'FIRST_TOKEN', 'PREEMPTED', 'FINISHED']),
  );
  expect(events.at(-1)).toBe('DEPARTED');
  expect(await page.textContent('#details')).toContain('RESUME');
  await page.screenshot({ path: join(OUTPUT, 'details.png') });
  await page.click('#details .close');
  await page.waitForSelector('#details', { state: 'hidden' });
});

test('offline: the same requests from an OTLP-JSON export, by file picker and by drag and drop', async () => {
  const live = await rows();
  const file = join(OUTPUT, 'trace.otlp.json');
  const text = new TextDecoder().decode(JsonTraceSerializer.serializeRequest(spans.getFinishedSpans())!);
  writeFileSync(file, text);

  await page.setInputFiles('#file', file);
  await page.waitForSelector('#source[data-state="offline"]');
  await settled(live.length);
  const sortById = (list: typeof live) => [...list].sort((a, b) => a.id.localeCompare(b.id));
  expect(sortById(await rows())).toEqual(sortById(live));
  expect(Number(await page.getAttribute('.chart-kv', 'data-points'))).toBeGreaterThan(0);
  await page.screenshot({ path: join(OUTPUT, 'offline.png') });

  // A file that is not a trace says so and leaves the view as it was.
  await page.setInputFiles('#file', {
    name: 'notes.json',
    mimeType: 'application/json',
    buffer: Buffer.from('{}'),
  });
  await page.waitForSelector('#error:not([hidden])');
  expect(await page.textContent('#error')).toMatch(/notes\.json: no "resourceSpans"/);
  expect(await rows()).toHaveLength(live.length);

  await page.click('#back-to-live');
  await page.waitForSelector('#source[data-state="live"]');
  const transfer = await page.evaluateHandle((json) => {
    const data = new DataTransfer();
    data.items.add(new File([json], 'dropped.otlp.json', { type: 'application/json' }));
    return data;
  }, text);
  await page.dispatchEvent('body', 'drop', { dataTransfer: transfer });
  await page.waitForSelector('#source[data-state="offline"]');
  expect(await page.textContent('#source')).toContain('dropped.otlp.json');
  await settled(live.length);
  expect(pageErrors).toEqual([]);
});
