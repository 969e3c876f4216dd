/**
 * Launch lines copied from vLLM's docs, on the built `x-serve`: the docs'
 * line starts and serves (CORS on, request lines off, one warning line);
 * TLS and a proxy prefix serve HTTPS under the prefix; a busy port fails in
 * one line before the model loads; a context longer than the model's is
 * refused, naming the flag; a KV-cache budget the device cannot bind is
 * served capped with a warning line, never silently.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from '@jest/globals';
import { SYNTHETIC_PRESETS, writeSyntheticLlamaGguf } from '@x/engine';
import { defaultModelPath, ensureDefaultModel } from '../src/default-model.js';
import { CLI, serverEnv, spawnServer } from './support/spawn-server.js';

const cache = mkdtempSync(join(tmpdir(), 'x-serve-vllm-launch-'));
afterAll(() => rmSync(cache, { recursive: true, force: true }));
const env = serverEnv(cache, { X_SERVE_LOG_LEVEL: 'info' });
const model = ensureDefaultModel(defaultModelPath(env));

const run = (args: string[]) =>
  spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env, timeout: 60_000 });

test("the launch line from vLLM's docs starts and serves", async () => {
  // vllm serve MODEL --host 0.0.0.0 --port 8000 ..., on any free port.
  const line = [
    [
      '--model',
      model,
      '--host',
      '0.0.0.0',
      '--port',
      '0',
      '--max-model-len',
      '2048',
      '--disable-log-requests',
    ],
    ['--gpu-memory-utilization', '0.9', '--seed', '0', '--allowed-origins', '["*"]'],
  ].flat();
  const docs = await spawnServer(line, env);
  const { stderr } = docs.output();
  expect(stderr.match(/^x-serve: warning: .*$/gm)).toEqual([
    expect.stringMatching(/^x-serve: warning: --gpu-memory-utilization 0.9 is ignored: /),
  ]);
  const url = docs.url.replace('0.0.0.0', '127.0.0.1');
  const preflight = await fetch(`${url}/v1/chat/completions`, {
    method: 'OPTIONS',
    headers: { origin: 'https://chat.example', 'access-control-request-method': 'POST' },
  });
  expect(preflight.status).toBe(204);
  expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
  const res = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ messages: [{ role: 'user', content: 'Hi' }], max_tokens: 3 }),
  });
  expect(res.status).toBe(200);
  docs.child.kill('SIGTERM');
  expect(await docs.exited).toBe(0);
  // --disable-log-requests: no line per generation.
  expect(docs.output().stdout).not.toMatch(/"endpoint":"chat.completions"/);
});

test('--ssl-keyfile/--ssl-certfile serve HTTPS, under --root-path as well', async () => {
  const key = join(cache, 'key.pem');
  const cert = join(cache, 'cert.pem');
  const openssl = spawnSync('openssl', [
    ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'],
    ...['-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1'],
    ...['-addext', 'subjectAltName=IP:127.0.0.1'],
  ]);
  expect(openssl.status).toBe(0);
  const server = await spawnServer(
    [
      '--model',
      model,
      '--host',
      '127.0.0.1',
      '--port',
      '0',
      '--ssl-keyfile',
      key,
      '--ssl-certfile',
      cert,
    ].concat(['--root-path', '/llm']),
    env,
  );
  expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  const ca = readFileSync(cert, 'utf8');
  for (const path of ['/llm/v1/models', '/v1/models']) {
    const { status, body } = await httpsGet(`${server.url}${path}`, ca);
    expect(status).toBe(200);
    expect(body).toContain('"object":"list"');
  }
  server.child.kill('SIGTERM');
  expect(await server.exited).toBe(0);
});

test('a busy port fails at once, in one line naming --host and --port, before the model loads', async () => {
  const busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  const { port } = busy.address() as AddressInfo;
  try {
    const r = run(['--model', model, '--host', '127.0.0.1', '--port', String(port)]);
    expect(r.status).toBe(1);
    expect(
      r.stderr
        .trim()
        .split('\n')
        .filter((l) => !l.startsWith('Warning: ')),
    ).toEqual([`x-serve: error: cannot listen on 127.0.0.1:${port} (--host, --port): the address is in use`]);
  } finally {
    busy.close();
  }
});

test("--max-model-len above the model's context is refused, naming the flag", () => {
  const small = join(cache, 'context-512.gguf');
  writeSyntheticLlamaGguf(small, { ...SYNTHETIC_PRESETS['tiny-random-llama'], maxSeqLen: 512 });
  const r = run(['--model', small, '--port', '0', '--max-model-len', '4096']);
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(
    /^x-serve: error: --max-model-len 4096 is longer than the model's context of 512 tokens: lower --max-model-len to at most 512, or leave it unset$/m,
  );
});

test("a --kv-cache-memory above the device's binding limit is served capped, with one warning line saying so", async () => {
  const server = await spawnServer(
    ['--model', model, '--host', '127.0.0.1', '--port', '0', '--kv-cache-memory', '64GiB'],
    env,
  );
  const { stderr } = server.output();
  server.child.kill('SIGTERM');
  expect(await server.exited).toBe(0);
  const [warning, ...more] = stderr.match(/^x-serve: warning: .*$/gm) ?? [];
  expect(more).toEqual([]);
  expect(warning).toMatch(
    /^x-serve: warning: --kv-cache-memory 65536.0 MiB is capped at (\d+\.\d) MiB \(\d+ blocks\): one layer's K or V tensor must fit the device's storage binding limit \(\d+ bytes\)$/,
  );
  const capped = /capped at (\S+) MiB/.exec(warning!)![1]!;
  expect(stderr).toMatch(new RegExp(`KV cache .*\\(${capped.replace('.', '\\.')} MiB\\)`));
});

/** GETs `url` over HTTPS trusting `ca`. */
function httpsGet(url: string, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request(url, { ca }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    })
      .on('error', reject)
      .end();
  });
}
