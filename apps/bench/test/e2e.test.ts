/**
 * x-bench end to end: the real command against our server (in-process, on
 * loopback, the synthetic default model): a concurrency sweep with warm-up
 * and SLOs, the chat endpoint, reproducibility, and requests the server refuses.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { defaultModelPath, ensureDefaultModel, startServer, type RunningServer } from '@x/server';
import { runProgram } from '@x/test-processes';
import { svgToPng } from '../src/plots/index.js';
import type { BenchResults } from '../src/results.js';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'x-bench-e2e-'));
let server: RunningServer;

beforeAll(async () => {
  const model = ensureDefaultModel(defaultModelPath({ XDG_CACHE_HOME: work }));
  server = await startServer({
    model,
    host: '127.0.0.1',
    port: 0,
    kvCacheMemory: 8 * 2 ** 20,
    servedModelName: 'tiny',
  });
});
afterAll(async () => {
  await server?.close();
  rmSync(work, { recursive: true, force: true });
});

/** Runs x-bench (asynchronously: the server answers from this process) into `work/<dir>`. */
async function bench(
  dir: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string; out: string }> {
  const out = join(work, dir);
  const r = await runProgram(
    process.execPath,
    [CLI, '--base-url', server.url, '--output-dir', out, ...args],
    {
      cwd: work,
      timeoutMs: 150_000,
    },
  );
  return { code: r.exitCode ?? 1, stdout: r.stdout, stderr: r.stderr, out };
}

const readResults = (out: string) =>
  JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as BenchResults;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('a concurrency sweep on the completions endpoint', () => {
  let r: Awaited<ReturnType<typeof bench>>;
  beforeAll(async () => {
    r = await bench('sweep', [
      ...['--num-prompts', '6', '--input-len', '32', '--output-len', '8'],
      ...['--sweep-concurrency', '1,4', '--warmup', '2', '--seed', '5', '--slo', 'ttft=60s,tpot=60s'],
    ]);
  });

  test("prints vLLM's table for each run and a line per run", () => {
    expect(r.stderr).toContain('prompt lengths fitted with /tokenize');
    expect(r.code).toBe(0);
    for (const label of ['concurrency 1', 'concurrency 4']) {
      expect(r.stdout).toContain(`Serving Benchmark Result (${label})`);
      expect(r.stdout).toMatch(new RegExp(`^${label} +6 +0 +`, 'm'));
    }
    expect(r.stdout).toMatch(/^Successful requests: +6$/m);
    expect(r.stdout).toMatch(/^Total generated tokens: +48$/m);
    expect(r.stdout).toMatch(/^Request goodput \(req\/s\): +\d+\.\d\d$/m);
    expect(r.stdout).toMatch(/^Mean TTFT \(ms\): +\d+\.\d\d$/m);
    expect(r.stdout).toMatch(/^P99 ITL \(ms\): +\d+\.\d\d$/m);
  });

  test('writes every request, the summaries and the metadata', () => {
    const { metadata, warmup, runs } = readResults(r.out);
    expect(metadata.tool.name).toBe('x-bench');
    expect(metadata.server).toMatchObject({
      base_url: server.url,
      model: 'tiny',
      endpoint: 'completions',
      tokenize: true,
    });
    expect(metadata.server.version).toEqual({ version: expect.any(String) });
    expect(metadata.seed).toBe(5);
    expect(metadata.flags).toMatchObject({
      sweepConcurrency: [1, 4],
      numPrompts: 6,
      requestRate: 'inf',
      warmup: 2,
    });
    expect(metadata.machine.cpus).toBeGreaterThan(0);
    expect(Date.parse(metadata.start_time)).not.toBeNaN();
    expect(warmup).toHaveLength(2);
    expect(runs.map((run) => [run.label, run.max_concurrency, run.request_rate])).toEqual([
      ['concurrency 1', 1, 'inf'],
      ['concurrency 4', 4, 'inf'],
    ]);
    for (const run of runs) {
      expect(run.summary).toMatchObject({ completed: 6, failed: 0, total_output_tokens: 48, errors: {} });
      expect(run.summary.request_goodput).toBeGreaterThan(0);
      expect(run.summary.p99_ttft_ms).toBeGreaterThan(0);
      expect(run.requests).toHaveLength(6);
      for (const q of run.requests) {
        expect(q).toMatchObject({ success: true, error: null, output_len: 8, output_tokens: 8 });
        // Whole words of this model's 512-token vocabulary land within a few tokens of the length.
        expect(Math.abs(q.prompt_tokens - 32)).toBeLessThanOrEqual(3);
        expect(q.ttft_ms).toBeGreaterThan(0);
        expect(q.e2el_ms).toBeGreaterThanOrEqual(q.ttft_ms!);
        expect(q.tpot_ms).toBeCloseTo((q.e2el_ms! - q.ttft_ms!) / 7, 6);
        expect(q.itl_ms.length).toBeGreaterThan(0);
        expect(q.itl_ms.length).toBeLessThanOrEqual(7);
      }
    }
    // One run at a time: concurrency 1 never has two requests in flight.
    expect(runs[0]!.summary.max_concurrent_requests).toBe(1);
  });

  test('draws the CDFs, the timeline and the sweep as valid SVG and PNG', () => {
    const marks = { 'latency-cdf': 'mark-line', timeline: 'mark-rect', sweep: 'mark-symbol' } as const;
    for (const [name, mark] of Object.entries(marks)) {
      const svg = readFileSync(join(r.out, `${name}.svg`), 'utf8');
      expect(svg.startsWith('<svg')).toBe(true);
      expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
      expect(svg).toContain(mark);
      expect(svgToPng(svg).subarray(0, 8)).toEqual(PNG_SIGNATURE); // resvg parses it
      expect(readFileSync(join(r.out, `${name}.png`)).subarray(0, 8)).toEqual(PNG_SIGNATURE);
    }
    expect(readFileSync(join(r.out, 'latency-cdf.svg'), 'utf8')).toContain('Time to first token (TTFT)');
  });
});

test('the chat endpoint, a chat workload at a request rate: the same seed sends the same workload', async () => {
  const args = ['--endpoint', 'chat', '--workload', 'chat', '--input-len', '40', '--output-len', '6'];
  const rest = ['--num-prompts', '5', '--request-rate', '50', '--seed', '3', '--no-plots'];
  const [a, b] = [await bench('chat-a', [...args, ...rest]), await bench('chat-b', [...args, ...rest])];
  expect(a.code).toBe(0);
  expect(b.code).toBe(0);
  const [ra, rb] = [readResults(a.out), readResults(b.out)];
  const workload = (res: BenchResults) =>
    res.runs[0]!.requests.map((q) => [q.input_len, q.output_len, q.prompt_words, q.arrival_s]);
  expect(workload(ra)).toEqual(workload(rb));
  expect(new Set(workload(ra).map(([, out]) => out)).size).toBeGreaterThan(1);
  for (const q of ra.runs[0]!.requests) {
    expect(q.success).toBe(true);
    expect(q.output_tokens).toBe(q.output_len);
  }
  expect(ra.runs[0]!.request_rate).toBe(50);
});

test("lengths beyond the model's context are cut to fit it, and the requests succeed", async () => {
  // The synthetic model's context is 2048 tokens.
  const r = await bench('capped', [
    '--num-prompts',
    '2',
    '--input-len',
    '2100',
    '--output-len',
    '8',
    '--no-plots',
  ]);
  expect(r.code).toBe(0);
  expect(r.stderr).toContain("x-bench: 2 of 2 requests cut to the model's context (max_model_len 2048)");
  const { summary, requests } = readResults(r.out).runs[0]!;
  expect(summary.completed).toBe(2);
  expect(requests.map((q) => [q.input_len, q.output_len])).toEqual([
    [2040, 8],
    [2040, 8],
  ]);
});

test('requests the server refuses are failures with their reason; none succeeding exits 1', async () => {
  const r = await bench('refused', ['--num-prompts', '2', '--model', 'no-such-model', '--no-plots']);
  expect(r.code).toBe(1);
  expect(r.stderr).toContain('no request succeeded');
  expect(r.stdout).toMatch(/^Failed requests: +2$/m);
  const { summary, requests } = readResults(r.out).runs[0]!;
  expect(summary.completed).toBe(0);
  expect(Object.keys(summary.errors).join()).toMatch(/^HTTP 404: .*no-such-model/);
  expect(requests.every((q) => q.error?.startsWith('HTTP 404') && q.ttft_ms === null)).toBe(true);
});

test('some requests failing exits 1 too, after writing the results', async () => {
  const model = ensureDefaultModel(defaultModelPath({ XDG_CACHE_HOME: work }));
  // One sequence may wait at a time: of requests sent at once, the first runs and the rest get 503.
  const busy = await startServer({
    model,
    host: '127.0.0.1',
    port: 0,
    kvCacheMemory: 8 * 2 ** 20,
    servedModelName: 'tiny',
    maxPendingRequests: 1,
  });
  try {
    const out = join(work, 'partly');
    const args = ['--base-url', busy.url, '--output-dir', out, '--num-prompts', '4', '--input-len', '16'];
    const r = await runProgram(process.execPath, [CLI, ...args, '--output-len', '32', '--no-plots'], {
      cwd: work,
      timeoutMs: 150_000,
    });
    const { summary } = readResults(out).runs[0]!;
    expect(summary.completed).toBeGreaterThan(0);
    expect(summary.failed).toBeGreaterThan(0);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain(`x-bench: error: requests failed: ${summary.failed} of 4 in all at once`);
  } finally {
    await busy.close();
  }
});
