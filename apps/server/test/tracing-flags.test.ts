/** The journey-tracing flags of the built `x-serve`: help, usage errors, and spans reaching a collector. */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from '@jest/globals';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const cache = mkdtempSync(join(tmpdir(), 'x-serve-tracing-'));
afterAll(() => rmSync(cache, { recursive: true, force: true }));

/** The environment without any OTLP endpoint variable the machine may have set. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, XDG_CACHE_HOME: cache, ...extra };
  delete env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  delete env.OTEL_EXPORTER_OTLP_ENDPOINT;
  env.MESA_SHADER_CACHE_DIR ??= process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache');
  return { ...env, ...extra };
}

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
  const bodies: Buffer[] = [];
  const collector = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      bodies.push(Buffer.concat(chunks));
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
  const child = spawn(
    process.execPath,
    [CLI, '--host', '127.0.0.1', '--port', '0', '--kv-cache-memory', '8MiB', '--enable-journey-tracing'],
    { env: cleanEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint }), stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      const m = /listening\s+(http:\/\/\S+)/.exec(stderr);
      if (m) resolve(m[1]!);
    });
    child.on('exit', () => reject(new Error(`x-serve exited early:\n${stderr}`)));
  });
  const res = await fetch(`${url}/v1/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'tiny-random-llama', prompt: 'Hello', max_tokens: 3 }),
  });
  expect(res.status).toBe(200);
  await res.json();
  child.kill('SIGTERM');
  expect(await exited).toBe(0);
  await new Promise<void>((resolve) => collector.close(() => resolve()));
  // Protobuf keeps strings as UTF-8: the span names and events are there to find.
  const payload = Buffer.concat(bodies).toString('latin1');
  for (const text of ['llm_request', 'llm_core', 'api.DEPARTED', 'journey.FINISHED', 'x-serve']) {
    expect(payload).toContain(text);
  }
});
