/**
 * The summary printed at the end, in the layout of vLLM's `bench serve`
 * ("============ Serving Benchmark Result ============", a label in 40
 * columns, the value after it), plus one line per run for a sweep.
 * @module
 */
import { LATENCY_METRICS, percentileKey, type LatencyMetric } from './metrics.js';
import type { RunResult } from './results.js';

const HEADERS: Readonly<Record<LatencyMetric, [string, string]>> = {
  ttft: ['TTFT', 'Time to First Token'],
  tpot: ['TPOT', 'Time per Output Token (excl. 1st token)'],
  itl: ['ITL', 'Inter-token Latency'],
  e2el: ['E2EL', 'End-to-end Latency'],
};
const WIDTH = 50;

const rule = (title: string, fill: string) => {
  const text = title ? ` ${title} ` : '';
  const left = Math.floor((WIDTH - text.length) / 2);
  return fill.repeat(Math.max(0, left)) + text + fill.repeat(Math.max(0, WIDTH - left - text.length));
};
const line = (label: string, value: number | string, digits = 2) =>
  `${label.padEnd(40)} ${typeof value === 'number' ? value.toFixed(digits) : value}`;

/** One run's table, as vLLM prints it (plus the std lines and the failure reasons). */
export function formatRunTable(run: RunResult, percentiles: readonly number[]): string {
  const s = run.summary;
  const out = [rule(`Serving Benchmark Result${run.label ? ` (${run.label})` : ''}`, '=')];
  out.push(line('Successful requests:', String(s.completed)), line('Failed requests:', String(s.failed)));
  if (run.max_concurrency !== null)
    out.push(line('Maximum request concurrency:', String(run.max_concurrency)));
  if (run.request_rate !== 'inf') out.push(line('Request rate configured (RPS):', run.request_rate));
  out.push(
    line('Benchmark duration (s):', s.duration),
    line('Total input tokens:', String(s.total_input_tokens)),
    line('Total generated tokens:', String(s.total_output_tokens)),
    line('Request throughput (req/s):', s.request_throughput),
  );
  if (s.request_goodput !== null) out.push(line('Request goodput (req/s):', s.request_goodput));
  out.push(
    line('Output token throughput (tok/s):', s.output_throughput),
    line('Peak output token throughput (tok/s):', s.max_output_tokens_per_s),
    line('Peak concurrent requests:', s.max_concurrent_requests),
    line('Total Token throughput (tok/s):', s.total_token_throughput),
  );
  for (const metric of LATENCY_METRICS) {
    const [short, header] = HEADERS[metric];
    out.push(
      rule(header, '-'),
      line(`Mean ${short} (ms):`, s[`mean_${metric}_ms`]),
      line(`Median ${short} (ms):`, s[`median_${metric}_ms`]),
      line(`Std ${short} (ms):`, s[`std_${metric}_ms`]),
      // P50 is the median, printed above.
      ...percentiles
        .filter((p) => p !== 50)
        .map((p) => line(`P${p} ${short} (ms):`, s[`${percentileKey(p)}_${metric}_ms`]!)),
    );
  }
  const errors = Object.entries(s.errors);
  if (errors.length > 0) {
    out.push(rule('Failures', '-'));
    for (const [reason, count] of errors) {
      out.push(`${String(count).padStart(6)} × ${reason.length > 200 ? `${reason.slice(0, 199)}…` : reason}`);
    }
  }
  out.push('='.repeat(WIDTH));
  return out.join('\n');
}

/** A figure with `digits` decimals; '-' when absent (p99 not among the percentiles, goodput without SLO). */
const fixed = (value: number | null | undefined, digits: number) =>
  value == null ? '-' : value.toFixed(digits);

/** One line per run of a sweep: the figures to compare across concurrency or rate. */
export function formatSweepTable(runs: readonly RunResult[]): string {
  const columns: [string, (r: RunResult) => string][] = [
    ['run', (r) => r.label],
    ['ok', (r) => String(r.summary.completed)],
    ['failed', (r) => String(r.summary.failed)],
    ['req/s', (r) => r.summary.request_throughput.toFixed(2)],
    ['out tok/s', (r) => r.summary.output_throughput.toFixed(1)],
    ['TTFT p50 ms', (r) => r.summary.median_ttft_ms.toFixed(1)],
    ['TTFT p99 ms', (r) => fixed(r.summary.p99_ttft_ms, 1)],
    ['TPOT p50 ms', (r) => r.summary.median_tpot_ms.toFixed(1)],
    ['TPOT p99 ms', (r) => fixed(r.summary.p99_tpot_ms, 1)],
    ['goodput req/s', (r) => fixed(r.summary.request_goodput, 2)],
  ];
  const cells = runs.map((r) => columns.map(([, cell]) => cell(r)));
  const widths = columns.map(([head], i) => Math.max(head.length, ...cells.map((row) => row[i]!.length)));
  const row = (values: readonly string[]) =>
    values.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  ');
  return [row(columns.map(([head]) => head)), row(widths.map((w) => '-'.repeat(w))), ...cells.map(row)].join(
    '\n',
  );
}
