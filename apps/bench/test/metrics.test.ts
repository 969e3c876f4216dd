/** The summary of a run (vLLM's names and definitions) and its printed table. */
import { expect, test } from '@jest/globals';
import { summarize } from '../src/metrics.js';
import { formatRunTable, formatSweepTable } from '../src/report-table.js';
import type { RunResult } from '../src/results.js';
import type { RequestRecord } from '../src/runner.js';

/** A successful request sent at `start` s whose chunks arrive after the gaps `itl` (ms). */
function ok(
  index: number,
  start: number,
  ttft: number,
  itl: number[],
  outputTokens = itl.length + 1,
): RequestRecord {
  const e2el = ttft + itl.reduce((a, b) => a + b, 0);
  return {
    index,
    input_len: 10,
    output_len: outputTokens,
    prompt_words: 10,
    arrival_s: start,
    start_s: start,
    end_s: start + e2el / 1000,
    queue_ms: 0,
    success: true,
    error: null,
    prompt_tokens: 10,
    output_tokens: outputTokens,
    ttft_ms: ttft,
    tpot_ms: outputTokens > 1 ? (e2el - ttft) / (outputTokens - 1) : null,
    e2el_ms: e2el,
    itl_ms: itl,
  };
}

const failed = (index: number, error: string): RequestRecord => ({
  ...ok(index, 0, 0, []),
  success: false,
  error,
  ttft_ms: null,
  tpot_ms: null,
  e2el_ms: null,
  output_tokens: 0,
});

const records = [
  ok(0, 0, 100, [10, 10, 10]), // e2el 130, tpot 10
  ok(1, 0.05, 300, [50, 50, 50]), // e2el 450, tpot 50
  ok(2, 2, 100, []), // one token: no TPOT, tpot 0 for goodput
  failed(3, 'HTTP 400: 12 tokens too long'),
  failed(4, 'HTTP 400: 13 tokens too long'),
];

test('counts, totals and rates over the run time', () => {
  const s = summarize(records, 4, { percentiles: [50, 99] });
  expect(s).toMatchObject({
    duration: 4,
    completed: 3,
    failed: 2,
    total_input_tokens: 30,
    total_output_tokens: 9,
    request_throughput: 0.75,
    request_goodput: null,
    output_throughput: 2.25,
    total_token_throughput: 39 / 4,
    max_concurrent_requests: 2,
    errors: { 'HTTP 400: N tokens too long': 2 },
  });
  // Chunks of requests 0 and 1 all land in the first second.
  expect(s.max_output_tokens_per_s).toBe(8);
});

test("latency statistics under vLLM's keys; TPOT skips single-token outputs, ITL pools every gap", () => {
  const s = summarize(records, 4, { percentiles: [50, 99] });
  expect(s.mean_ttft_ms).toBeCloseTo(500 / 3);
  expect(s.median_ttft_ms).toBe(100);
  expect(s.mean_tpot_ms).toBe(30);
  expect(s.std_tpot_ms).toBe(20);
  expect(s.mean_itl_ms).toBe(30);
  expect(s.p50_itl_ms).toBe(30);
  expect(s.p99_e2el_ms).toBeCloseTo(450 - 0.02 * (450 - 130));
});

test('goodput counts the successful requests meeting every objective', () => {
  expect(summarize(records, 4, { percentiles: [99], slo: { ttft: 200, tpot: 20 } }).request_goodput).toBe(
    0.5,
  );
  expect(summarize(records, 4, { percentiles: [99], slo: { e2el: 1000 } }).request_goodput).toBe(0.75);
});

test('a run where everything failed reports zeros, not NaN', () => {
  const s = summarize([failed(0, 'boom')], 1, { percentiles: [99] });
  expect(s.completed).toBe(0);
  expect(s.mean_ttft_ms).toBe(0);
  expect(s.p99_itl_ms).toBe(0);
  expect(s.max_concurrent_requests).toBe(0);
});

test("the table has vLLM's lines; a sweep gets a line per run", () => {
  const run: RunResult = {
    label: 'concurrency 4',
    max_concurrency: 4,
    request_rate: 'inf',
    burstiness: 1,
    summary: summarize(records, 4, { percentiles: [50, 90, 99], slo: { ttft: 200 } }),
    requests: records,
  };
  const table = formatRunTable(run, [50, 90, 99]);
  for (const line of [
    /^=+ Serving Benchmark Result \(concurrency 4\) =+$/m,
    /^Successful requests: +3$/m,
    /^Failed requests: +2$/m,
    /^Maximum request concurrency: +4$/m,
    /^Request throughput \(req\/s\): +0\.75$/m,
    /^Request goodput \(req\/s\): +0\.50$/m,
    /^Output token throughput \(tok\/s\): +2\.25$/m,
    /^-+ Time to First Token -+$/m,
    /^Median TTFT \(ms\): +100\.00$/m,
    /^P99 TPOT \(ms\): +49\.60$/m,
    /^Mean ITL \(ms\): +30\.00$/m,
    /^P90 E2EL \(ms\): +/m,
    /^ +2 × HTTP 400: N tokens too long$/m,
  ]) {
    expect(table).toMatch(line);
  }
  expect(table).not.toMatch(/Request rate configured/);
  const sweep = formatSweepTable([run, { ...run, label: 'concurrency 16' }]);
  expect(sweep.split('\n')).toHaveLength(4);
  expect(sweep).toMatch(/^concurrency 16 +3 +2 +0\.75 +2\.3 +100\.0 +/m);
});
