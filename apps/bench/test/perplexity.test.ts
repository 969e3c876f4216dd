/**
 * x-perplexity end to end: the real command against our server (in-process,
 * on loopback, the synthetic default model), checked against the same
 * windows scored through the engine directly.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { defaultModelPath, ensureDefaultModel, startServer, type RunningServer } from '@x/server';
import { runProgram } from '@x/test-processes';

const CLI = fileURLToPath(new URL('../dist/perplexity-cli.js', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'x-perplexity-'));
const TEXT = 'Once upon a time, there was a little girl named Lily. She loved to play in the park. '.repeat(
  12,
);
let server: RunningServer;

beforeAll(async () => {
  const model = ensureDefaultModel(defaultModelPath({ XDG_CACHE_HOME: work }));
  server = await startServer({ model, host: '127.0.0.1', port: 0, kvCacheMemory: 8 * 2 ** 20 });
  writeFileSync(join(work, 'text.txt'), TEXT);
});
afterAll(async () => {
  await server?.close();
  rmSync(work, { recursive: true, force: true });
});

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const r = await runProgram(process.execPath, [CLI, ...args], { cwd: work, timeoutMs: 120_000 });
  return { code: r.exitCode ?? 1, stdout: r.stdout, stderr: r.stderr };
}

/** llama-perplexity's estimate from the engine's own prompt log-probabilities. */
async function expected(ctx: number, chunks: number): Promise<number> {
  const { tokenizer } = server.engine;
  const tokens = tokenizer.encode(TEXT);
  const [bos] = tokenizer.encode('');
  let nll = 0;
  let count = 0;
  for (let c = 0; c < chunks; c++) {
    const window = tokens.slice(c * ctx, (c + 1) * ctx);
    window[0] = bos!;
    for await (const o of server.engine.generate(window, {
      maxTokens: 1,
      temperature: 0,
      promptLogprobs: 0,
    })) {
      if (!o.promptLogprobs) continue;
      for (let j = ctx / 2 + 1; j < ctx; j++) nll -= o.promptLogprobs[j]!.logprob;
      count += ctx / 2 - 1;
    }
  }
  return Math.exp(nll / count);
}

test("prints llama-perplexity's estimate, over the same windows as the engine scores them", async () => {
  const file = join(work, 'text.txt');
  const r = await run(['--base-url', server.url, '-f', file, '--ctx-size', '64', '--chunks', '3']);
  expect(r.code).toBe(0);
  expect(r.stderr).toMatch(/\[1\][\d.]+,\[2\][\d.]+,\[3\][\d.]+/);
  const [, ppl, error] = /Final estimate: PPL = ([\d.]+) \+\/- ([\d.]+)/.exec(r.stdout)!;
  expect(r.stdout).toContain('3 chunks of 64 tokens, 93 scored');
  expect(Number(ppl)).toBeCloseTo(await expected(64, 3), 3);
  expect(Number(error)).toBeGreaterThan(0);
});

test('bad flags exit 2; a text shorter than a window or a server that is down exits 1', async () => {
  expect((await run(['--ctx-size', '64'])).code).toBe(2); // no --file
  expect((await run(['-f', 'x', '--ctx-size', 'many'])).code).toBe(2);
  const short = await run(['--base-url', server.url, '-f', join(work, 'text.txt'), '--ctx-size', '4096']);
  expect([short.code, short.stderr]).toEqual([1, expect.stringMatching(/a window needs 4096/)]);
  const down = await run(['--base-url', 'http://127.0.0.1:9', '-f', join(work, 'text.txt')]);
  expect([down.code, down.stderr]).toEqual([1, expect.stringMatching(/cannot reach the server/)]);
});
