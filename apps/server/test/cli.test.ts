/** The built `x-serve` command: help, bad flags, and a real start, request and SIGTERM. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from '@jest/globals';
import { CLI, serverEnv, spawnServer } from './support/spawn-server.js';

const cache = mkdtempSync(join(tmpdir(), 'x-serve-test-'));
afterAll(() => rmSync(cache, { recursive: true, force: true }));

const run = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 30_000,
  });

describe('arguments', () => {
  test('--help lists the flags and exits 0', () => {
    const r = run(['--help']);
    expect(r.status).toBe(0);
    for (const flag of [
      '--model',
      '--served-model-name',
      '--api-key',
      '--max-num-seqs',
      '--kv-cache-memory',
      '--no-enable-prefix-caching',
      '--max-pending-requests',
      '--config',
    ]) {
      expect(r.stdout).toContain(flag);
    }
    expect(r.stdout).toContain('X_SERVE_MAX_NUM_SEQS');
  });

  test.each([
    [['--bogus'], /unknown option '--bogus'/],
    [['--max-num-seqs', 'many'], /--max-num-seqs.*expected an integer ≥ 1, got "many"/],
    [['--kv-cache-memory', '12 parsecs'], /expected a size such as/],
    [['--scheduling-policy', 'lifo'], /expected one of fcfs, priority/],
    [['--config', '/nonexistent/x-serve.json'], /config file \/nonexistent\/x-serve.json/],
  ])('%j exits 2 with a message', (args, message) => {
    const r = run(args);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  test.each([
    [
      ['--no-enable-chunked-prefill', '--max-num-batched-tokens', '64'],
      /without chunked prefill --max-num-batched-tokens \(64\) must be >= .*min\(--max-model-len, --num-gpu-blocks × --block-size\)/,
    ],
    [
      ['--num-gpu-blocks', '12'],
      /12 blocks × 16 tokens = 192 tokens .* cannot hold one sequence of --max-model-len 2048 tokens.*: give --num-gpu-blocks or --kv-cache-memory more blocks or memory, or lower --max-model-len$/m,
    ],
  ])('%j exits 2 before serving, naming the flags', (args, message) => {
    const r = run(['--port', '0', ...args], serverEnv(cache));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^x-serve: error: /m);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toContain('ready');
  });

  test('a bad environment variable exits 2 naming it', () => {
    const r = run([], { X_SERVE_PORT: 'eighty' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('X_SERVE_PORT');
  });
});

describe('serving', () => {
  test('starts on the default synthetic model, answers, and exits 0 on SIGTERM', async () => {
    const server = await spawnServer(
      ['--host', '127.0.0.1', '--port', '0', '--kv-cache-memory', '8MiB'],
      serverEnv(cache, { X_SERVE_LOG_LEVEL: 'info' }),
    );
    const { stderr } = server.output();
    expect(stderr).toMatch(/model\s+tiny-random-llama/);
    expect(stderr).toMatch(/KV cache\s+\d+ blocks × 16 tokens = \d+ tokens/);
    const res = await fetch(`${server.url}/v1/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'tiny-random-llama', prompt: 'Hello', max_tokens: 5 }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { usage: { completion_tokens: number } };
    expect(body.usage.completion_tokens).toBe(5);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    // One structured log line per request.
    expect(server.output().stdout).toMatch(
      /"endpoint":"completions","status":200,"promptTokens":\d+,"completionTokens":5/,
    );
  });
});
