/** The built `x-bench` command: help, bad flags (exit 2) and a server that is not there (exit 1). */
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from '@jest/globals';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const run = (args: string[]) =>
  spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000 });

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('arguments', () => {
  test('--help lists the flags and exits 0', () => {
    const r = run(['--help']);
    expect(r.status).toBe(0);
    for (const flag of [
      '--base-url',
      '--model',
      '--endpoint',
      '--api-key',
      '--workload',
      '--request-rate',
      '--max-concurrency',
      '--num-prompts',
      '--warmup',
      '--seed',
      '--slo',
      '--sweep-concurrency',
      '--sweep-request-rate',
      '--output-dir',
    ]) {
      expect(r.stdout).toContain(flag);
    }
  });

  test.each([
    [['--bogus'], /unknown option '--bogus'/],
    [['--num-prompts', 'many'], /--num-prompts.*expected an integer ≥ 1, got "many"/],
    [['--request-rate', '-2'], /--request-rate.*expected a number > 0, got "-2"/],
    [['--endpoint', 'embeddings'], /Allowed choices are completions, chat/],
    [['--workload', 'sharegpt'], /Allowed choices are fixed, random, chat/],
    [['--range-ratio', '1.5'], /expected a number in \[0, 1\)/],
    [['--sweep-concurrency', '1,x'], /--sweep-concurrency.*expected an integer ≥ 1, got "x"/],
    [['--sweep-request-rate', '2,2'], /expected distinct values/],
    [['--slo', 'ttft=soon'], /--slo.*expected a duration such as 200ms/],
    [['--slo', 'itl=5ms'], /unknown objective "itl": expected one of ttft, tpot, e2e/],
    [['--base-url', 'ftp://host'], /expected an http:\/\/ or https:\/\/ URL/],
    [
      ['--max-concurrency', '4', '--sweep-concurrency', '1,2'],
      /give --max-concurrency or --sweep-concurrency, not both/,
    ],
    [
      ['--request-rate', '2', '--sweep-request-rate', '1,2'],
      /give --request-rate or --sweep-request-rate, not both/,
    ],
  ])('%j exits 2 with a message', (args, message) => {
    const r = run(args);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});

test('a server that is down: a clear error and exit 1', async () => {
  const port = await closedPort();
  const r = run(['--base-url', `http://127.0.0.1:${port}`, '--num-prompts', '1', '--no-plots']);
  expect(r.status).toBe(1);
  expect(r.stderr).toContain(
    `x-bench: error: cannot reach the server at http://127.0.0.1:${port} (is it running?)`,
  );
  expect(r.stderr).toContain('ECONNREFUSED');
});
