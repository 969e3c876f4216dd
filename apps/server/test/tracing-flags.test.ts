/** The journey-tracing flags of the built `x-serve`: help, usage errors, and spans reaching a collector. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from '@jest/globals';
import { startReceiver } from '@x/tracing/testing';
import { CLI, serverEnv, spawnServer } from './support/spawn-server.js';

const cache = mkdtempSync(join(tmpdir(), 'x-serve-tracing-'));
afterAll(() => rmSync(cache, { recursive: true, force: true }));

/** The environment without any OTEL variable the machine may have set. */
const cleanEnv = (extra: Record<string, string> = {}) => serverEnv(cache, extra);

const run = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: cleanEnv(env), timeout: 30_000 });

describe('tracing flags', () => {
  test('--help lists them', () => {
    const r = run(['--help']);
    for (const flag of [
      '--enable-journey-tracing',
      '--otlp-traces-endpoint',
      '--journey-tracing-sample-rate',
      '--step-tracing-enabled',
      '--step-tracing-sample-rate',
      '--step-tracing-rich-subsample-rate',
    ]) {
      expect(r.stdout).toContain(flag);
    }
  });

  test.each([
    [['--enable-journey-tracing'], /needs an OTLP endpoint: --otlp-traces-endpoint/],
    [['--step-tracing-enabled'], /--step-tracing-enabled needs --enable-journey-tracing/],
    [['--journey-tracing-sample-rate', '1.5'], /expected a rate in \[0, 1\], got "1.5"/],
    [['--otlp-traces-endpoint', 'not a url'], /expected an http\(s\) URL, got "not a url"/],
  ])('%j exits 2 with a message', (args, message) => {
    const r = run(args);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});

test('traces requests to the OTLP endpoint from the environment, and flushes on SIGTERM', async () => {
  const receiver = await startReceiver('ok');
  const server = await spawnServer(
    ['--host', '127.0.0.1', '--port', '0', '--kv-cache-memory', '8MiB', '--enable-journey-tracing'],
    cleanEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url.replace(/\/v1\/traces$/, '') }),
  );
  const res = await fetch(`${server.url}/v1/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'tiny-random-llama', prompt: 'Hello', max_tokens: 3 }),
  });
  expect(res.status).toBe(200);
  await res.json();
  server.child.kill('SIGTERM');
  expect(await server.exited).toBe(0);
  await receiver.close();
  const spans = receiver.spans();
  expect(spans.map((s) => s.name).sort()).toEqual(['llm_core', 'llm_request']);
  expect(spans.map((s) => s.serviceName)).toEqual(['x-serve', 'x-serve']);
  expect(spans.find((s) => s.name === 'llm_request')!.events.at(-1)!.name).toBe('api.DEPARTED');
  expect(spans.find((s) => s.name === 'llm_core')!.events.at(-1)!.name).toBe('journey.FINISHED');
});
